import Foundation

/// What the server sends as text frames.
public enum ServerEvent: Sendable, Equatable {
    /// Why an utterance was not acted on, as the wire spells it (docs/protocol.md): the
    /// recogniser's rejections, and the session's own refusal of replayed audio.
    public enum RejectionReason: String, Sendable, Codable {
        case noSpeech = "no_speech"
        case noMatch = "no_match"
        case lowConfidence = "low_confidence"
        /// This very audio already led to an order: a recording played back at the device.
        case replayed
    }

    case ready(sessionId: String, conversationId: String, state: String)
    case listening(state: String)
    case speechStarted
    /// The words heard so far in the utterance still being spoken (when `start` asked for
    /// partials); the `transcript` at its end is what counts.
    case partial(text: String)
    case transcript(text: String)
    /// The cart after a change: its lines and total.
    case cart(lines: [CartLine], total: String)
    case intent(name: String, slots: [String: String], confidence: Double, text: String)
    case rejected(reason: RejectionReason, transcript: String?)
    case prompt(text: String, expect: String)
    /// An order was placed or changed: its id, status and total.
    case order(id: String, status: String, total: String)
    /// Something to tell the customer that does not change what is listened for (an order
    /// update pushed while the device is connected).
    case notice(text: String)
    /// The customer asked for a person: an operator should take over this conversation.
    case handover(conversationId: String)
    case error(code: ErrorCode, message: String)
    case bye(reason: String)
    /// Spoken audio of the prompt or notice just sent follows as `frames` binary frames of
    /// 20 ms each (Opus packets, 8 kHz μ-law or 16 kHz L16: the session's codec).
    case replyAudio(codec: String, frames: Int, seconds: Double)

    public struct CartLine: Codable, Sendable, Equatable {
        public var product: String
        public var name: String
        public var options: [String]
        public var quantity: Int
        public var total: String

        public init(product: String, name: String, options: [String], quantity: Int, total: String) {
            self.product = product
            self.name = name
            self.options = options
            self.quantity = quantity
            self.total = total
        }
    }

    /// Stable error codes; clients switch on these, the message is for people.
    public enum ErrorCode: String, Codable, Sendable {
        case badMessage = "bad_message"
        case notStarted = "not_started"
        case alreadyStarted = "already_started"
        case badAudio = "bad_audio"
        case unsupportedAudio = "unsupported_audio"
        case messageTooLarge = "message_too_large"
        case audioLimit = "audio_limit"
        case rateLimited = "rate_limited"
        case unknownConversation = "unknown_conversation"
        case internalError = "internal_error"
    }

    public var type: String {
        switch self {
        case .ready: "ready"
        case .listening: "listening"
        case .speechStarted: "speech_started"
        case .partial: "partial"
        case .transcript: "transcript"
        case .cart: "cart"
        case .intent: "intent"
        case .rejected: "rejected"
        case .prompt: "prompt"
        case .order: "order"
        case .notice: "notice"
        case .handover: "handover"
        case .error: "error"
        case .bye: "bye"
        case .replyAudio: "reply_audio"
        }
    }
}

extension ServerEvent: Codable {
    private enum CodingKeys: String, CodingKey {
        case type, protocolVersion = "protocol", sessionId, conversationId, state, text, name, slots, confidence, reason
        case transcript, expect, code, message, id, status, total, codec, frames, seconds, lines
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        switch self {
        case .ready(let sessionId, let conversationId, let state):
            try container.encode(VoiceProtocol.version, forKey: .protocolVersion)
            try container.encode(sessionId, forKey: .sessionId)
            try container.encode(conversationId, forKey: .conversationId)
            try container.encode(state, forKey: .state)
        case .listening(let state):
            try container.encode(state, forKey: .state)
        case .speechStarted:
            break
        case .transcript(let text), .partial(let text):
            try container.encode(text, forKey: .text)
        case .cart(let lines, let total):
            try container.encode(lines, forKey: .lines)
            try container.encode(total, forKey: .total)
        case .intent(let name, let slots, let confidence, let text):
            try container.encode(name, forKey: .name)
            try container.encode(slots, forKey: .slots)
            try container.encode((confidence * 1_000).rounded() / 1_000, forKey: .confidence)
            try container.encode(text, forKey: .text)
        case .rejected(let reason, let transcript):
            try container.encode(reason, forKey: .reason)
            try container.encodeIfPresent(transcript, forKey: .transcript)
        case .prompt(let text, let expect):
            try container.encode(text, forKey: .text)
            try container.encode(expect, forKey: .expect)
        case .order(let id, let status, let total):
            try container.encode(id, forKey: .id)
            try container.encode(status, forKey: .status)
            try container.encode(total, forKey: .total)
        case .notice(let text):
            try container.encode(text, forKey: .text)
        case .handover(let conversationId):
            try container.encode(conversationId, forKey: .conversationId)
        case .error(let code, let message):
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .message)
        case .bye(let reason):
            try container.encode(reason, forKey: .reason)
        case .replyAudio(let codec, let frames, let seconds):
            try container.encode(codec, forKey: .codec)
            try container.encode(frames, forKey: .frames)
            try container.encode(seconds, forKey: .seconds)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ready":
            self = .ready(
                sessionId: try container.decode(String.self, forKey: .sessionId),
                conversationId: try container.decode(String.self, forKey: .conversationId),
                state: try container.decode(String.self, forKey: .state))
        case "listening": self = .listening(state: try container.decode(String.self, forKey: .state))
        case "speech_started": self = .speechStarted
        case "transcript": self = .transcript(text: try container.decode(String.self, forKey: .text))
        case "partial": self = .partial(text: try container.decode(String.self, forKey: .text))
        case "cart":
            self = .cart(lines: try container.decode([CartLine].self, forKey: .lines), total: try container.decode(String.self, forKey: .total))
        case "intent":
            self = .intent(
                name: try container.decode(String.self, forKey: .name),
                slots: try container.decode([String: String].self, forKey: .slots),
                confidence: try container.decode(Double.self, forKey: .confidence),
                text: try container.decode(String.self, forKey: .text))
        case "rejected":
            self = .rejected(
                reason: try container.decode(RejectionReason.self, forKey: .reason),
                transcript: try container.decodeIfPresent(String.self, forKey: .transcript))
        case "prompt":
            self = .prompt(text: try container.decode(String.self, forKey: .text), expect: try container.decode(String.self, forKey: .expect))
        case "order":
            self = .order(
                id: try container.decode(String.self, forKey: .id), status: try container.decode(String.self, forKey: .status),
                total: try container.decode(String.self, forKey: .total))
        case "notice": self = .notice(text: try container.decode(String.self, forKey: .text))
        case "handover": self = .handover(conversationId: try container.decode(String.self, forKey: .conversationId))
        case "reply_audio":
            self = .replyAudio(
                codec: try container.decode(String.self, forKey: .codec), frames: try container.decode(Int.self, forKey: .frames),
                seconds: try container.decode(Double.self, forKey: .seconds))
        case "error":
            self = .error(code: try container.decode(ErrorCode.self, forKey: .code), message: try container.decode(String.self, forKey: .message))
        case "bye": self = .bye(reason: try container.decode(String.self, forKey: .reason))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown event type \(type)")
        }
    }
}
