import Dispatch
import Foundation
import Grammar

/// A bounded set of PocketSphinx decoders shared by all sessions.
///
/// Each slot loads the acoustic model and every dialog state's grammar once. A session
/// borrows a decoder from the start of an utterance to its end (`beginUtterance`), so the
/// search runs while the customer speaks and only the last frames remain at the end of
/// speech; idle connections hold none. When all are lent out, an utterance is decoded whole
/// at its end (`decode`), waiting for a free decoder. Decoding is CPU-bound C code: it runs
/// on the `DecodeScheduler`'s threads or a Dispatch queue, never on the Swift concurrency
/// pool or an event loop.
public actor DecoderPool {
    public struct Grammars: Sendable {
        /// Dialog state → JSGF text.
        public var jsgfByState: [DialogState: String]
        /// A pronunciation dictionary covering every grammar word.
        public var dictionary: URL

        public init(jsgfByState: [DialogState: String], dictionary: URL) {
            self.jsgfByState = jsgfByState
            self.dictionary = dictionary
        }
    }

    public var size: Int { slots.size }
    private let configuration: DecoderConfiguration
    private let grammars: Grammars
    private var slots: LendingSlots<PooledDecoder>
    private static let queue = DispatchQueue(label: "talkshop.decoding", qos: .userInitiated, attributes: .concurrent)

    public init(configuration: DecoderConfiguration, grammars: Grammars, size: Int) {
        precondition(size > 0, "a decoder pool needs at least one slot")
        var configuration = configuration
        configuration.dictionary = grammars.dictionary
        self.configuration = configuration
        self.grammars = grammars
        slots = LendingSlots(size: size)
    }

    /// Decoders created so far (they are made on first demand, up to `size`).
    public var loadedDecoders: Int { slots.created }
    /// Decoders loaded and not lent out.
    public var idleDecoders: Int { slots.idleCount }
    /// Sessions waiting for a free decoder right now.
    public var queuedRequests: Int { slots.waitingCount }

    /// Creates `count` decoders now, so the first customers do not pay for model loading.
    public func warmUp(_ count: Int? = nil) async throws(RecognitionError) {
        var made: [PooledDecoder] = []
        while slots.reserve(below: count) {
            do { made.append(try await makeDecoder()) } catch {
                slots.unreserve()
                throw error
            }
        }
        for decoder in made { giveBack(decoder) }
    }

    /// Decodes one whole utterance with the grammar of `state`.
    public func decode(_ samples: [Int16], state: DialogState) async throws(RecognitionError) -> SpeechDecoder.Hypothesis? {
        guard grammars.jsgfByState[state] != nil else {
            throw .unknownSearch("no grammar for dialog state '\(state)'")
        }
        let decoder = try await borrow()
        defer { giveBack(decoder) }
        return try await Self.run { () throws(RecognitionError) -> SpeechDecoder.Hypothesis? in
            try decoder.decoder.activate(state.rawValue)
            return try decoder.decoder.decode(utterance: samples)
        }
    }

    /// Starts decoding an utterance while it is spoken, on a decoder held until it ends; nil
    /// when every decoder is lent out (the caller then decodes the utterance whole at its end).
    /// `partials`: keep the best words so far after each piece (a little more CPU).
    public func beginUtterance(state: DialogState, partials: Bool = false) async throws(RecognitionError) -> StreamingUtterance? {
        guard grammars.jsgfByState[state] != nil else {
            throw .unknownSearch("no grammar for dialog state '\(state)'")
        }
        guard let decoder = try await idleOrNewDecoder() else { return nil }
        return StreamingUtterance(decoder: decoder, pool: self, state: state.rawValue, partials: partials)
    }

    private func borrow() async throws(RecognitionError) -> PooledDecoder {
        if let decoder = try await idleOrNewDecoder() { return decoder }
        return await withCheckedContinuation { slots.wait($0) }
    }

    /// An idle decoder, or a new one while the pool is below its size; nil when all are lent out.
    private func idleOrNewDecoder() async throws(RecognitionError) -> PooledDecoder? {
        if let decoder = slots.takeIdle() { return decoder }
        guard slots.reserve() else { return nil }
        do { return try await makeDecoder() } catch {
            slots.unreserve()
            throw error
        }
    }

    func giveBack(_ decoder: PooledDecoder) { slots.giveBack(decoder) }

    private func makeDecoder() async throws(RecognitionError) -> PooledDecoder {
        let configuration = self.configuration
        let grammars = self.grammars
        return try await Self.run { () throws(RecognitionError) -> PooledDecoder in
            let decoder = try SpeechDecoder(configuration: configuration)
            for state in grammars.jsgfByState.keys.sorted() {
                try decoder.addGrammar(name: state.rawValue, jsgf: grammars.jsgfByState[state]!)
            }
            return PooledDecoder(decoder)
        }
    }

    /// Runs blocking work on the decoding queue and resumes the caller with its result.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws(RecognitionError) -> T) async throws(RecognitionError) -> T {
        let result: Result<T, RecognitionError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result(catching: work)) }
        }
        return try result.get()
    }
}

/// A decoder lent out by the pool. `@unchecked Sendable` is sound because the pool hands
/// each one to exactly one borrower at a time and takes it back before lending it again.
final class PooledDecoder: @unchecked Sendable {
    let decoder: SpeechDecoder
    init(_ decoder: SpeechDecoder) { self.decoder = decoder }
}
