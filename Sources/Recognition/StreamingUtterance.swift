import Synchronization

/// An utterance being decoded as it is spoken, on a decoder lent by the pool until `finish`
/// or `abandon`. Audio is fed without waiting; the `DecodeScheduler` searches whatever has
/// arrived, on its own threads, one piece at a time per utterance and in order.
///
/// `@unchecked Sendable`: the decoder is used only by the one scheduler thread that holds
/// the utterance (`running`), and everything else is behind `state`.
public final class StreamingUtterance: @unchecked Sendable {
    private typealias Waiter = CheckedContinuation<Result<SpeechDecoder.Hypothesis?, RecognitionError>, Never>

    private struct State {
        /// The grammar to start with, until the utterance is started on the decoder.
        var startState: String?
        /// Start the search with the audio there is, without waiting for `meanEstimate`.
        var startNow = false
        /// The cepstral mean the search subtracts, once started.
        var cepstralMean: [Float]?
        var pending: [Int16] = []
        /// Set once the speaker stopped: the search ends when the audio is used up.
        var waiter: Waiter?
        var abandoned = false
        /// In one of the scheduler's queues.
        var queued = false
        /// A scheduler thread is searching it now.
        var running = false
        var failure: RecognitionError?
        var done = false
        /// The best words so far, when asked for.
        var partial: [String] = []
        /// Waiting for the search to use up what was fed (`searchedWords`).
        var catchingUp: [CheckedContinuation<[String], Never>] = []

        var ending: Bool { waiter != nil || abandoned }

        /// Whether the caller must put the utterance in a scheduler queue now.
        mutating func claimQueueing() -> Bool {
            guard !queued, !running, !done else { return false }
            queued = true
            return true
        }
    }

    private let decoder: PooledDecoder
    private let pool: DecoderPool
    private let scheduler: DecodeScheduler
    private let state: Mutex<State>
    private let tracksPartials: Bool

    init(decoder: PooledDecoder, pool: DecoderPool, state grammar: String, partials: Bool, scheduler: DecodeScheduler = .shared) {
        self.decoder = decoder
        self.pool = pool
        self.scheduler = scheduler
        self.tracksPartials = partials
        state = Mutex(State(startState: grammar))
    }

    /// The cepstral mean the search subtracts from every frame: its opening's (nil until started).
    public var cepstralMean: [Float]? { state.withLock { $0.cepstralMean } }

    /// The words heard so far (empty unless partials were asked for), as of the last piece searched.
    public var partialWords: [String] { state.withLock { $0.partial } }

    /// The best words once all audio fed so far has been searched. A live session's search
    /// keeps up with speech and reads `partialWords`; a benchmark, which feeds faster than
    /// real time, waits here so the endpointer sees what a live session would.
    public func searchedWords() async -> [String] {
        await withCheckedContinuation { continuation in
            let ready: [String]? = state.withLock { state in
                if state.done || (!state.queued && !state.running) { return state.partial }
                state.catchingUp.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Queues more audio of the utterance for the search. `searchNow`: the speaker paused, and
    /// whoever ends the utterance on the words so far needs them before `meanEstimate` is heard.
    public func feed(_ samples: [Int16], searchNow: Bool = false) {
        let schedule = state.withLock { state in
            guard !state.done, !state.ending, !samples.isEmpty || (searchNow && !state.startNow) else { return false }
            state.pending += samples
            state.startNow = state.startNow || searchNow
            return state.claimQueueing()
        }
        if schedule { scheduler.schedule(self, urgent: false) }
    }

    /// Waits for the search to use up the audio, ends the utterance and returns the decoder.
    public func finish() async throws(RecognitionError) -> SpeechDecoder.Hypothesis? {
        // Only the session that owns the utterance finishes or drops it, so this cannot change
        // between the check and the wait.
        if state.withLock({ $0.done || $0.ending }) { throw .decoding("the utterance was already finished or dropped") }
        let result = await withCheckedContinuation { (continuation: Waiter) in
            let (schedule, queued) = state.withLock { state in
                state.waiter = continuation
                return (state.claimQueueing(), state.queued)
            }
            if schedule {
                scheduler.schedule(self, urgent: true)
            } else if queued {
                scheduler.promote(self)
            }
        }
        await pool.giveBack(decoder)
        return try result.get()
    }

    /// Drops the utterance (the session ended or cancelled it); the decoder goes back.
    public func abandon() {
        let schedule = state.withLock { state in
            guard !state.done, !state.ending else { return false }
            state.abandoned = true
            return state.claimQueueing()
        }
        if schedule { scheduler.schedule(self, urgent: false) }
    }

    deinit {
        // A session that dropped its utterance without a word must not take the decoder with
        // it. Nothing else holds the utterance now (a queue would), so no thread is using it.
        let (done, started) = state.withLock { ($0.done, $0.startState == nil) }
        guard !done else { return }
        if started { _ = try? decoder.decoder.endUtterance() }
        let (decoder, pool) = (self.decoder, self.pool)
        Task { await pool.giveBack(decoder) }
    }

    /// Called by a scheduler thread that took the utterance from a queue: searches what has
    /// arrived; once the speaker stopped (or it was dropped) and nothing is left, ends it.
    func run() {
        while true {
            enum Taken { case audio(start: String?, samples: [Int16]), notYet(waiting: [CheckedContinuation<[String], Never>]) }
            let taken: Taken = state.withLock { state in
                state.queued = false
                // The search starts once it can normalise the audio by the utterance's own mean;
                // until then, whoever waits for it to catch up has nothing to wait for.
                if state.startState != nil && !state.ending && !state.startNow && state.pending.count < Self.meanEstimateSamples {
                    defer { state.catchingUp = [] }
                    return .notYet(waiting: state.catchingUp)
                }
                state.running = true
                defer { state.startState = nil; state.pending = [] }
                return .audio(start: state.startState, samples: state.pending)
            }
            guard case .audio(let start, let samples) = taken else {
                if case .notYet(let waiting) = taken { for waiter in waiting { waiter.resume(returning: []) } }
                return
            }
            var failure: RecognitionError?
            do throws(RecognitionError) {
                if let start {
                    try decoder.decoder.activate(start)
                    let mean = decoder.decoder.cepstralMean(of: samples) ?? decoder.decoder.initialCepstralMean
                    try decoder.decoder.startUtterance()
                    decoder.decoder.cepstralMean = mean
                    let used = decoder.decoder.cepstralMean
                    state.withLock { $0.cepstralMean = used }
                }
                if !samples.isEmpty { try decoder.decoder.process(samples) }
            } catch {
                failure = error
            }
            let partial = tracksPartials && failure == nil && !samples.isEmpty ? decoder.decoder.partialWords() : nil
            enum Next { case again, requeue, idle, end(Waiter?, RecognitionError?) }
            let (next, caughtUp, words): (Next, [CheckedContinuation<[String], Never>], [String]) = state.withLock { state in
                if let failure, state.failure == nil { state.failure = failure }
                if let partial { state.partial = partial }
                // The speaker stopped: finish without giving way.
                if !state.pending.isEmpty && state.ending { return (.again, [], []) }
                state.running = false
                // Still speaking and more came: other utterances get a turn first.
                if !state.pending.isEmpty { return (state.claimQueueing() ? .requeue : .idle, [], []) }
                defer { state.catchingUp = [] }
                guard state.ending else { return (.idle, state.catchingUp, state.partial) }
                state.done = true
                return (.end(state.waiter, state.failure), state.catchingUp, state.partial)
            }
            for waiter in caughtUp { waiter.resume(returning: words) }
            switch next {
            case .again: continue
            case .requeue: scheduler.schedule(self, urgent: false)
            case .idle: break
            case .end(let waiter, let failure): end(waiter: waiter, failure: failure)
            }
            return
        }
    }

    /// How much of an utterance is heard before its search starts: the search subtracts the
    /// mean cepstrum of this opening from every frame (cepstral mean normalisation), as a whole
    /// utterance's own mean would be. Starting from the model's mean instead, or from whatever
    /// the pooled decoder heard last, cost 9 or 4–5 of 160 commands in pink noise at 12 dB and made
    /// results depend on who had spoken before (docs/recognition.md). The search catches up
    /// while the customer goes on speaking.
    public static let meanEstimate: Duration = .milliseconds(1500)
    static let meanEstimateSamples = Int(meanEstimate / .milliseconds(1)) * 16

    private func end(waiter: Waiter?, failure: RecognitionError?) {
        let result: Result<SpeechDecoder.Hypothesis?, RecognitionError>
        do throws(RecognitionError) {
            let hypothesis = try decoder.decoder.endUtterance()
            result = failure.map { .failure($0) } ?? .success(hypothesis)
        } catch {
            result = .failure(failure ?? error)
        }
        if let waiter {
            waiter.resume(returning: result)
        } else {
            let (decoder, pool) = (self.decoder, self.pool)
            Task { await pool.giveBack(decoder) }
        }
    }
}
