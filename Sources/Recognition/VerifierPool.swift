import Foundation

/// The grammar verifiers shared by all sessions: one per core at most, made on first demand
/// (each holds the whole dictionary and the general language model, about 30 MB). Verifying
/// is blocking C code and runs on the decoding queue, like whole-utterance decodes.
public actor VerifierPool {
    public let size: Int
    /// The grammar's cut dictionary: its own words, which the standard one may lack.
    private let grammarDictionary: URL
    private var idle: [PooledVerifier] = []
    private var created = 0
    private var waiters: [CheckedContinuation<PooledVerifier, Never>] = []

    public init(grammarDictionary: URL, size: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.grammarDictionary = grammarDictionary
        self.size = max(1, size)
    }

    /// General English's advantage over `words` on this utterance (`GrammarVerifier`).
    public func opinion(on samples: [Int16], words: [String]) async throws(RecognitionError) -> GrammarVerifier.Opinion? {
        let verifier = try await borrow()
        defer { giveBack(verifier) }
        return try await DecoderPool.run { () throws(RecognitionError) -> GrammarVerifier.Opinion? in
            try verifier.verifier.opinion(on: samples, words: words)
        }
    }

    private func borrow() async throws(RecognitionError) -> PooledVerifier {
        if let verifier = idle.popLast() { return verifier }
        guard created < size else { return await withCheckedContinuation { waiters.append($0) } }
        created += 1
        let dictionary = grammarDictionary
        do {
            return try await DecoderPool.run { () throws(RecognitionError) -> PooledVerifier in
                PooledVerifier(try GrammarVerifier(grammarDictionary: dictionary))
            }
        } catch {
            created -= 1
            throw error
        }
    }

    private func giveBack(_ verifier: PooledVerifier) {
        if waiters.isEmpty { idle.append(verifier) } else { waiters.removeFirst().resume(returning: verifier) }
    }
}

/// A verifier lent to one utterance at a time by the pool: hence `@unchecked Sendable`.
final class PooledVerifier: @unchecked Sendable {
    let verifier: GrammarVerifier
    init(_ verifier: GrammarVerifier) { self.verifier = verifier }
}
