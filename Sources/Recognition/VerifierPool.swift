import Foundation

/// The grammar verifiers shared by all sessions, made on first demand (each holds the whole
/// dictionary and the general language model, about 30 MB). A verification is a blocking
/// general-English search of about 0.7 CPU s: it runs on a thread of its own at a lower
/// priority than decoding (`LowPriorityWork`), so the customers being decoded meanwhile keep
/// their CPU.
///
/// With a `budget` (a server): at most one verification at a time, and none past the budget
/// or while one is running: that utterance goes unverified; so does one whose search has not
/// answered within the budget's `longestWait` (the search finishes meanwhile and its time
/// still counts). Without (the benchmarks): every utterance that asks is verified, up to
/// `size` at once, the rest waiting their turn.
public actor VerifierPool {
    /// What became of a request to verify an utterance.
    public enum Verification: Sendable, Equatable {
        /// General English's advantage over the sentence (nil: a search found no path).
        case verified(advantage: Double?)
        /// The budget was spent, or a verification was already running: the utterance goes
        /// unverified.
        case skipped
        /// The search did not answer within the budget's `longestWait`: the utterance goes
        /// unverified.
        case late
    }

    /// The grammar's own pronunciations, which the standard dictionary may lack.
    private let grammarWords: [(word: String, phones: String)]
    private var slots: LendingSlots<PooledVerifier>
    private var budget: VerificationBudget?
    private let configuration: DecoderConfiguration

    public init(
        grammarWords: [(word: String, phones: String)], size: Int = ProcessInfo.processInfo.activeProcessorCount,
        budget: VerificationBudget? = nil, configuration: DecoderConfiguration = .verifier
    ) {
        self.grammarWords = grammarWords
        self.configuration = configuration
        slots = LendingSlots(size: budget == nil ? max(1, size) : 1)
        self.budget = budget
    }

    public var size: Int { slots.size }

    /// General English's advantage over `words` on this utterance (`GrammarVerifier`), if the
    /// budget allows; the time it took counts against the budget.
    public func verify(_ samples: [Int16], words: [String]) async throws(RecognitionError) -> Verification {
        guard budget?.allows(at: .now) ?? true else { return .skipped }
        let search = Task { await self.search(samples, words: words) }
        guard let longestWait = budget?.longestWait else { return try await search.value.get() }
        guard let answer = await Self.value(of: search, within: longestWait) else { return .late }
        return try answer.get()
    }

    /// Borrows a verifier (making the first one, if need be) and searches; runs to the end
    /// whether or not anyone still waits for the answer, so the verifier is given back and
    /// the time counted. The wall time of the search is at least its CPU time, so the budget
    /// errs on the safe side.
    private func search(_ samples: [Int16], words: [String]) async -> Result<Verification, RecognitionError> {
        let verifier: PooledVerifier
        do throws(RecognitionError) {
            guard let idle = try await borrow(waiting: budget == nil) else { return .success(.skipped) }
            verifier = idle
        } catch {
            return .failure(error)
        }
        let started = ContinuousClock.now
        let advantage = await LowPriorityWork.result { () throws(RecognitionError) -> Double? in
            try verifier.verifier.advantage(on: samples, words: words)
        }
        budget?.record(ContinuousClock.now - started, at: .now)
        slots.giveBack(verifier)
        return advantage.map { .verified(advantage: $0) }
    }

    /// The task's value if it ends within `limit`; nil if it is still running then (it runs on).
    private static func value<T: Sendable>(of task: Task<T, Never>, within limit: Duration) async -> T? {
        let (answers, answer) = AsyncStream.makeStream(of: T?.self)
        let waiter = Task { answer.yield(await task.value) }
        let timer = Task {
            try? await Task.sleep(for: limit)
            answer.yield(nil)
        }
        defer {
            timer.cancel()
            waiter.cancel()
            answer.finish()
        }
        for await first in answers { return first }
        return nil
    }

    /// Makes one verifier now, so the first customer checked does not wait for its dictionary
    /// and language model to load.
    public func warmUp() async throws(RecognitionError) {
        if let verifier = try await borrow(waiting: true) { slots.giveBack(verifier) }
    }

    /// An idle verifier, or a new one while fewer than `size` exist; else nil, or (`waiting`)
    /// the next one given back.
    private func borrow(waiting: Bool) async throws(RecognitionError) -> PooledVerifier? {
        if let verifier = slots.takeIdle() { return verifier }
        guard slots.reserve() else {
            guard waiting else { return nil }
            return await withCheckedContinuation { slots.wait($0) }
        }
        let (words, configuration) = (grammarWords, configuration)
        do {
            return try await LowPriorityWork.run { () throws(RecognitionError) -> PooledVerifier in
                PooledVerifier(try GrammarVerifier(grammarWords: words, configuration: configuration))
            }
        } catch {
            slots.unreserve()
            throw error
        }
    }
}

/// A verifier lent to one utterance at a time by the pool: hence `@unchecked Sendable`.
final class PooledVerifier: @unchecked Sendable {
    let verifier: GrammarVerifier
    init(_ verifier: GrammarVerifier) { self.verifier = verifier }
}
