import Foundation

/// The grammar verifiers shared by all sessions: one per core at most, made on first demand
/// (each holds the whole dictionary and the general language model, about 30 MB). Verifying
/// is blocking C code and runs on the decoding queue, like whole-utterance decodes.
public actor VerifierPool {
    /// The grammar's own pronunciations, which the standard dictionary may lack.
    private let grammarWords: [(word: String, phones: String)]
    private var slots: LendingSlots<PooledVerifier>

    public init(grammarWords: [(word: String, phones: String)], size: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.grammarWords = grammarWords
        slots = LendingSlots(size: max(1, size))
    }

    public var size: Int { slots.size }

    /// General English's advantage over `words` on this utterance (`GrammarVerifier`).
    public func advantage(on samples: [Int16], words: [String]) async throws(RecognitionError) -> Double? {
        let verifier = try await borrow()
        defer { slots.giveBack(verifier) }
        return try await DecoderPool.run { () throws(RecognitionError) -> Double? in
            try verifier.verifier.advantage(on: samples, words: words)
        }
    }

    private func borrow() async throws(RecognitionError) -> PooledVerifier {
        if let verifier = slots.takeIdle() { return verifier }
        guard slots.reserve() else { return await withCheckedContinuation { slots.wait($0) } }
        let words = grammarWords
        do {
            return try await DecoderPool.run { () throws(RecognitionError) -> PooledVerifier in
                PooledVerifier(try GrammarVerifier(grammarWords: words))
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
