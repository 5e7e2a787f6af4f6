import Foundation

/// The grammar verifiers shared by all sessions, made on first demand (each holds the whole
/// dictionary and the general language model, about 30 MB). A verification is a blocking
/// general-English search of about 0.7 CPU s: it runs on a thread of its own at a lower
/// priority than decoding (`LowPriorityWork`), so the customers being decoded meanwhile keep
/// their CPU.
///
/// With a `budget` (a server): at most one verification at a time, and none past the budget
/// or while one is running: that utterance goes unverified. Without (the benchmarks): every
/// utterance that asks is verified, up to `size` at once, the rest waiting their turn.
public actor VerifierPool {
    /// What became of a request to verify an utterance.
    public enum Verification: Sendable, Equatable {
        /// General English's advantage over the sentence (nil: a search found no path).
        case verified(advantage: Double?)
        /// The budget was spent, or a verification was already running: the utterance goes
        /// unverified.
        case skipped
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
        guard budget?.allows(at: .now) ?? true, let verifier = try await borrow(waiting: budget == nil) else { return .skipped }
        defer { slots.giveBack(verifier) }
        let started = ContinuousClock.now
        let advantage = try await LowPriorityWork.run { () throws(RecognitionError) -> Double? in
            try verifier.verifier.advantage(on: samples, words: words)
        }
        // Wall time of the search: at least its CPU time, so the budget errs on the safe side.
        budget?.record(ContinuousClock.now - started, at: .now)
        return .verified(advantage: advantage)
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
