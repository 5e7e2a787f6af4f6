import Grammar

/// Cuts a stream of 16 kHz PCM chunks of any size into one utterance, using an `Endpointer`
/// over 20 ms frames. Keeps a short pre-roll so the first phoneme is not lost, and buffers
/// the utterance so it can be decoded whole at the endpoint (as accurate as batch decoding).
public struct UtteranceCollector: Sendable {
    public enum Event: Sendable, Equatable {
        case speechStarted
        /// The utterance is complete: its samples, pre-roll included, and why it ended.
        case utterance([Int16], Endpointer.EndReason)
        case noSpeech
    }

    public static let frameSamples = 320  // 20 ms at 16 kHz

    private var endpointer: Endpointer
    private var pending: [Int16] = []
    /// The most recent frames before speech started, up to the pre-roll.
    private var preRoll: [[Int16]] = []
    private var utterance: [Int16] = []
    /// How much of `utterance` `takeUnstreamed` has handed out.
    private var streamed = 0
    /// Samples consumed as whole frames since this collector started.
    private var processedSamples = 0
    /// Where the current utterance (pre-roll included) starts, counted in samples from the
    /// first sample this collector was given.
    public private(set) var utteranceStart = 0
    private let preRollFrames: Int

    public init(configuration: Endpointer.Configuration = .init()) {
        endpointer = Endpointer(configuration: configuration, frameDuration: .milliseconds(20))
        preRollFrames = Int((configuration.preRoll / .milliseconds(20)).rounded(.up)) + 
            Int((configuration.minimumSpeech / .milliseconds(20)).rounded(.up))
    }

    public var state: Endpointer.State { endpointer.state }
    /// How complete the words heard so far are (`Endpointer.sentence`).
    public var sentence: SentenceCompleteness {
        get { endpointer.sentence }
        set { endpointer.sentence = newValue }
    }
    /// The endpointer may soon need the words so far: it ends finished sentences sooner
    /// (`Endpointer.Configuration.endsSentencesSooner`) and the speaker has paused for a moment
    /// (60 ms) in mid-utterance. A search that waits to hear more before it starts
    /// (`StreamingUtterance.meanEstimate`) should start now.
    public var needsWordsSoon: Bool {
        endpointer.configuration.endsSentencesSooner && endpointer.silenceSoFar >= .milliseconds(60)
    }
    /// Samples buffered for the current utterance so far.
    public var bufferedSamples: Int { utterance.count }

    /// The utterance's samples (pre-roll included) not yet taken: what a decoder fed while
    /// the customer speaks has not seen. Empty until at least `minimum` samples are waiting.
    public mutating func takeUnstreamed(minimum: Int = 0) -> [Int16] {
        guard utterance.count - streamed >= Swift.max(minimum, 1) else { return [] }
        defer { streamed = utterance.count }
        return Array(utterance[streamed...])
    }

    /// Feeds a chunk; returns the events it caused, at most one `utterance` or `noSpeech`.
    public mutating func append(_ samples: [Int16]) -> [Event] {
        guard endpointer.state != .ended else { return [] }
        pending += samples
        var events: [Event] = []
        var offset = 0
        while pending.count - offset >= Self.frameSamples, endpointer.state != .ended {
            let frame = Array(pending[offset..<(offset + Self.frameSamples)])
            offset += Self.frameSamples
            if let event = process(frame) { events.append(event) }
        }
        pending.removeFirst(offset)
        return events
    }

    /// The client ended speech (push-to-talk released, or the stream stopped).
    public mutating func finish() -> Event? {
        guard endpointer.state != .ended else { return nil }
        let wasSpeaking = endpointer.state == .inSpeech
        if wasSpeaking { utterance += pending }
        pending.removeAll()
        switch endpointer.clientEndedSpeech() {
        case .speechEnded(let reason): return .utterance(utterance, reason)
        default: return wasSpeaking ? .utterance(utterance, .client) : .noSpeech
        }
    }

    private mutating func process(_ frame: [Int16]) -> Event? {
        defer { processedSamples += frame.count }
        let event = endpointer.process(frameDecibels: Endpointer.level(of: frame))
        switch endpointer.state {
        case .waiting:
            preRoll.append(frame)
            if preRoll.count > preRollFrames { preRoll.removeFirst() }
        case .inSpeech, .ended:
            break
        }
        switch event {
        case .speechStarted(let before)?:
            utterance = preRoll.suffix(before).flatMap { $0 } + frame
            utteranceStart = processedSamples - (utterance.count - frame.count)
            preRoll.removeAll()
            return .speechStarted
        case .speechEnded(let reason)?:
            utterance += frame
            return .utterance(utterance, reason)
        case .noSpeech?:
            return .noSpeech
        case nil:
            if endpointer.state == .inSpeech { utterance += frame }
            return nil
        }
    }
}
