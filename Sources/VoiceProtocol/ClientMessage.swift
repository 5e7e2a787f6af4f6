import Foundation

/// What a client sends as text frames.
public enum ClientMessage: Sendable, Equatable {
    public struct Start: Codable, Sendable, Equatable {
        public var codec: AudioCodecName
        public var sampleRate: Int?
        public var channels: Int?
        public var locale: String?
        /// Resume this conversation (same customer only).
        public var conversationId: String?
        /// "audio": also send every prompt and notice as speech in the session's codec
        /// (`reply_audio` then binary frames); "text" (the default): text only.
        public var replies: String?
        /// The codec spoken replies come in, when it should differ from `codec` (a browser
        /// sends Opus and plays 16 kHz L16 most simply): `opus`, `mulaw` or `pcm-s16le`.
        public var replyCodec: AudioCodecName?
        /// true: also send `partial` events with the words so far while the customer speaks.
        public var partials: Bool?

        public init(
            codec: AudioCodecName, sampleRate: Int? = nil, channels: Int? = nil, locale: String? = nil, conversationId: String? = nil,
            replies: String? = nil, replyCodec: AudioCodecName? = nil, partials: Bool? = nil
        ) {
            self.codec = codec
            self.sampleRate = sampleRate
            self.channels = channels
            self.locale = locale
            self.conversationId = conversationId
            self.replies = replies
            self.replyCodec = replyCodec
            self.partials = partials
        }
    }

    case start(Start)
    case endOfSpeech
    case text(String)
    case cancel
    case stop
}

extension ClientMessage: Codable {
    private enum Kind: String, Codable {
        case start
        case endOfSpeech = "end_of_speech"
        case text
        case cancel
        case stop
    }

    private enum CodingKeys: String, CodingKey {
        case type
        case text
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .start: self = .start(try Start(from: decoder))
        case .endOfSpeech: self = .endOfSpeech
        case .text: self = .text(try container.decode(String.self, forKey: .text))
        case .cancel: self = .cancel
        case .stop: self = .stop
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .start(let start):
            try container.encode(Kind.start, forKey: .type)
            try start.encode(to: encoder)
        case .endOfSpeech: try container.encode(Kind.endOfSpeech, forKey: .type)
        case .text(let text):
            try container.encode(Kind.text, forKey: .type)
            try container.encode(text, forKey: .text)
        case .cancel: try container.encode(Kind.cancel, forKey: .type)
        case .stop: try container.encode(Kind.stop, forKey: .type)
        }
    }
}
