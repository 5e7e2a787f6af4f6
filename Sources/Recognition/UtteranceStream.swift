import AudioCodec
import FrontEnd
import Grammar

/// Audio in, utterances out: one stream of 16 kHz PCM through the front end and the
/// endpointer, each utterance searched on a pooled decoder while it is spoken. A device
/// session and the benchmarks both listen through it, so what a benchmark measures is what
/// a customer gets.
///
/// Not `Sendable` (its front end is not): one session or benchmark feeds it, in order.
public struct UtteranceStream {
    /// How the caller feeds the stream, which decides how the words heard so far are read.
    public enum Pacing: Sendable {
        /// As it is spoken: the search keeps up, and its words so far are read as they stand.
        case live
        /// Faster than real time (a recording): each piece waits for the search to catch up,
        /// so the endpointer sees the words a live stream would.
        case recording
    }

    public enum Event {
        /// Speech began; `searchedWhileSpoken` is false when no decoder was free (the utterance
        /// is then decoded whole at its end).
        case speechStarted(searchedWhileSpoken: Bool)
        /// The words heard so far changed (only for an utterance begun with `partials`).
        case partial([String])
        case utterance(Utterance)
        /// The endpointer heard no speech in time.
        case noSpeech
        /// Something failed and the stream went on without it: the front end (this audio is
        /// not denoised) or a decoder for the search while spoken.
        case trouble(any Error)
    }

    /// One utterance, ready to recognise (or to drop, for example when over a rate limit).
    public struct Utterance {
        public let samples: [Int16]
        /// Where it lies in the audio the stream was given (pre-roll included).
        public let received: Range<Int>
        /// How much of its sound the front end's denoiser kept (nil: not denoised).
        public let retainedDecibels: Double?
        /// The search begun while it was spoken, and the dialog state whose grammar it used.
        private let searched: (utterance: StreamingUtterance, state: DialogState)?

        init(samples: [Int16], received: Range<Int>, retainedDecibels: Double?, searched: (StreamingUtterance, DialogState)?) {
            self.samples = samples
            self.received = received
            self.retainedDecibels = retainedDecibels
            self.searched = searched
        }

        public var seconds: Double { Double(samples.count) / Double(recognitionSampleRate) }

        /// Recognises it in `state`. A state that changed while the customer spoke (a
        /// confirmation window ran out) needs the other grammar: it is then decoded whole.
        public func recognize(by recognizer: SpeechRecognizer, state: DialogState) async throws -> RecognitionResult {
            let streamed = searched?.state == state ? searched?.utterance : nil
            if streamed == nil { abandon() }
            return try await recognizer.recognize(samples, state: state, streamed: streamed, retainedDecibels: retainedDecibels)
        }

        /// Not recognised after all: the decoder searching it goes back to the pool.
        public func abandon() {
            searched?.utterance.abandon()
        }
    }

    private let recognizer: SpeechRecognizer
    private let endpointing: Endpointer.Configuration
    private let pacing: Pacing
    /// Denoises the audio in a noisy room before the endpointer hears it.
    private let frontEnd: AudioFrontEnd
    private var collector: UtteranceCollector
    /// Samples received so far, and how many of the samples the front end passed on (the
    /// stream the collector hears) came before the current collector started: together with
    /// the front end's lag they place an utterance in what was received.
    public private(set) var receivedSamples = 0
    private var collectorOrigin = 0
    /// The utterance in progress, searched while it is spoken, and the state whose grammar it
    /// is searched with (nil when no decoder was free).
    private var searched: (utterance: StreamingUtterance, state: DialogState)?
    /// Whether the utterance in progress reports its words so far, and the last ones reported.
    private var reportsPartials = false
    private var lastPartial: [String] = []
    /// The words the endpointer was last told the completeness of.
    private var sentenceWords: [String] = []

    public init(
        recognizer: SpeechRecognizer, endpointing: Endpointer.Configuration, frontEnd: AudioFrontEnd.Configuration = .init(),
        pacing: Pacing
    ) {
        self.recognizer = recognizer
        self.endpointing = endpointing
        self.pacing = pacing
        self.frontEnd = AudioFrontEnd(configuration: frontEnd)
        collector = UtteranceCollector(configuration: endpointing)
    }

    /// No utterance is in progress (or the last one ended and none has started).
    public var isWaiting: Bool { collector.state == .waiting }

    /// Feeds received audio. `state`: the dialog state an utterance starting now is searched
    /// in. `partials`: an utterance starting now reports its words so far.
    public mutating func append(_ received: [Int16], state: DialogState, partials: Bool = false) async -> [Event] {
        receivedSamples += received.count
        var events: [Event] = []
        let heard: [Int16]
        do {
            heard = try await frontEnd.process(received, mayChange: collector.state == .waiting)
        } catch {
            events.append(.trouble(error))
            heard = received
        }
        for event in collector.append(heard) {
            switch event {
            case .speechStarted:
                events += await beginSearch(state: state, partials: partials)
            case .utterance(let samples, _):
                events.append(.utterance(takeUtterance(samples)))
            case .noSpeech:
                dropSearch()
                events.append(.noSpeech)
            }
        }
        // In 100 ms pieces: fewer hops to the decoding queue, and at the end of speech at most
        // 100 ms is left to search (or the opening of a short utterance, up to
        // `StreamingUtterance.meanEstimate`, which the search waits for).
        if let searched {
            searched.utterance.feed(collector.takeUnstreamed(minimum: recognitionSampleRate / 10), searchNow: collector.needsWordsSoon)
            events += await followWords(of: searched)
        }
        if collector.state == .ended { restart() }
        return events
    }

    /// The client ended speech (push-to-talk released): the utterance so far, or nil if none
    /// was in progress. The stream listens for the next one either way.
    public mutating func finish() -> Utterance? {
        let ending = collector.finish()
        guard case .utterance(let samples, _)? = ending else {
            dropSearch()
            restart()
            return nil
        }
        let utterance = takeUtterance(samples)
        restart()
        return utterance
    }

    /// Drops the utterance in progress (the client cancelled it) and listens afresh.
    public mutating func cancel() {
        dropSearch()
        restart()
    }

    /// The stream is over: an utterance cut off mid-way gives its decoder back now.
    public mutating func end() {
        dropSearch()
    }

    private mutating func beginSearch(state: DialogState, partials: Bool) async -> [Event] {
        dropSearch()
        reportsPartials = partials
        lastPartial = []
        do {
            let tracksWords = partials || endpointing.endsSentencesSooner
            let decoders = recognizer.pool(denoised: frontEnd.isDenoising)
            guard let utterance = try await decoders.beginUtterance(state: state, partials: tracksWords) else {
                return [.speechStarted(searchedWhileSpoken: false)]
            }
            searched = (utterance, state)
            return [.speechStarted(searchedWhileSpoken: true)]
        } catch {
            return [.trouble(error), .speechStarted(searchedWhileSpoken: false)]
        }
    }

    /// Tells the endpointer how complete the words so far are (it ends a finished sentence
    /// sooner) and reports them if asked.
    private mutating func followWords(of searched: (utterance: StreamingUtterance, state: DialogState)) async -> [Event] {
        guard reportsPartials || endpointing.endsSentencesSooner else { return [] }
        let words = switch pacing {
        case .live: searched.utterance.partialWords
        case .recording: await searched.utterance.searchedWords()
        }
        if endpointing.endsSentencesSooner, words != sentenceWords {
            sentenceWords = words
            collector.sentence = recognizer.completeness(of: words, state: searched.state)
        }
        guard reportsPartials, !words.isEmpty, words != lastPartial else { return [] }
        lastPartial = words
        return [.partial(words)]
    }

    /// Hands the utterance the collector just ended, with its search, to the caller (read
    /// before the collector restarts).
    private mutating func takeUtterance(_ samples: [Int16]) -> Utterance {
        searched?.utterance.feed(collector.takeUnstreamed())
        let start = collectorOrigin + collector.utteranceStart
        let heard = start..<(start + samples.count)
        // The front end changes its lag only between utterances.
        let received = (heard.lowerBound + frontEnd.lag)..<(heard.upperBound + frontEnd.lag)
        defer { searched = nil }
        return Utterance(samples: samples, received: received, retainedDecibels: frontEnd.retainedDecibels(over: heard), searched: searched)
    }

    private mutating func dropSearch() {
        searched?.utterance.abandon()
        searched = nil
    }

    private mutating func restart() {
        collector = UtteranceCollector(configuration: endpointing)
        collectorOrigin = frontEnd.producedSamples
        sentenceWords = []
    }
}
