import Foundation

/// The device protocol, version 1 (docs/protocol.md). JSON text frames with a `type` field;
/// audio in binary frames. Keys are snake_case on the wire.
public enum VoiceProtocol {
    public static let version = "talkshop.v1"

    /// The wire encoding: snake_case keys, sorted so logs and tests read the same every time;
    /// times in ISO 8601 (never Foundation's default, seconds since 2001).
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// Audio encodings a client may declare in `start`.
public enum AudioCodecName: String, Codable, Sendable, CaseIterable {
    /// One raw Opus packet per binary frame (smart speakers).
    case opus
    /// An Ogg Opus byte stream, split across frames anywhere.
    case oggOpus = "ogg-opus"
    /// Signed 16-bit little-endian PCM.
    case pcmS16le = "pcm-s16le"
    /// G.711 μ-law, 8 kHz (phone bridges).
    case mulaw
}
