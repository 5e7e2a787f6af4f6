/// Every way audio input can be wrong, as one typed error.
///
/// Follows the SwiftNIO convention: a public struct wrapping a private code enum, so new
/// cases can be added without breaking callers. Two errors are equal when their codes are
/// equal; `detail` says exactly what was wrong and where, for logs and client messages.
public struct AudioCodecError: Error, Hashable, CustomStringConvertible, Sendable {
    private enum Code: String, Hashable, Sendable {
        case missingCapturePattern = "missing_capture_pattern"
        case unsupportedOggVersion = "unsupported_ogg_version"
        case badPageChecksum = "bad_page_checksum"
        case truncatedPage = "truncated_page"
        case pageSequenceGap = "page_sequence_gap"
        case unexpectedStreamSerial = "unexpected_stream_serial"
        case continuationMismatch = "continuation_mismatch"
        case oversizePacket = "oversize_packet"
        case truncatedPacket = "truncated_packet"
        case invalidOpusHead = "invalid_opus_head"
        case invalidOpusTags = "invalid_opus_tags"
        case unsupportedChannelCount = "unsupported_channel_count"
        case unsupportedMappingFamily = "unsupported_mapping_family"
        case invalidOpusPacket = "invalid_opus_packet"
        case opusLibrary = "opus_library_error"
        case unsupportedSampleRate = "unsupported_sample_rate"
        case invalidWAV = "invalid_wav"
        case unknownFormat = "unknown_format"
    }

    private let code: Code
    /// What exactly was wrong, e.g. "page 3 at byte 4096: checksum 0x1234abcd, expected 0x…".
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// A stable machine-readable identifier, suitable for a wire protocol's error code.
    public var identifier: String { code.rawValue }

    public var description: String { "\(code.rawValue): \(detail)" }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    // Prototypes for matching in tests and `catch` clauses: `#expect(throws: .badPageChecksum)`.
    public static let missingCapturePattern = Self(.missingCapturePattern, "")
    public static let unsupportedOggVersion = Self(.unsupportedOggVersion, "")
    public static let badPageChecksum = Self(.badPageChecksum, "")
    public static let truncatedPage = Self(.truncatedPage, "")
    public static let pageSequenceGap = Self(.pageSequenceGap, "")
    public static let unexpectedStreamSerial = Self(.unexpectedStreamSerial, "")
    public static let continuationMismatch = Self(.continuationMismatch, "")
    public static let oversizePacket = Self(.oversizePacket, "")
    public static let truncatedPacket = Self(.truncatedPacket, "")
    public static let invalidOpusHead = Self(.invalidOpusHead, "")
    public static let invalidOpusTags = Self(.invalidOpusTags, "")
    public static let unsupportedChannelCount = Self(.unsupportedChannelCount, "")
    public static let unsupportedMappingFamily = Self(.unsupportedMappingFamily, "")
    public static let invalidOpusPacket = Self(.invalidOpusPacket, "")
    public static let opusLibrary = Self(.opusLibrary, "")
    public static let unsupportedSampleRate = Self(.unsupportedSampleRate, "")
    public static let invalidWAV = Self(.invalidWAV, "")
    public static let unknownFormat = Self(.unknownFormat, "")

    static func missingCapturePattern(_ d: String) -> Self { Self(.missingCapturePattern, d) }
    static func unsupportedOggVersion(_ d: String) -> Self { Self(.unsupportedOggVersion, d) }
    static func badPageChecksum(_ d: String) -> Self { Self(.badPageChecksum, d) }
    static func truncatedPage(_ d: String) -> Self { Self(.truncatedPage, d) }
    static func pageSequenceGap(_ d: String) -> Self { Self(.pageSequenceGap, d) }
    static func unexpectedStreamSerial(_ d: String) -> Self { Self(.unexpectedStreamSerial, d) }
    static func continuationMismatch(_ d: String) -> Self { Self(.continuationMismatch, d) }
    static func oversizePacket(_ d: String) -> Self { Self(.oversizePacket, d) }
    static func truncatedPacket(_ d: String) -> Self { Self(.truncatedPacket, d) }
    static func invalidOpusHead(_ d: String) -> Self { Self(.invalidOpusHead, d) }
    static func invalidOpusTags(_ d: String) -> Self { Self(.invalidOpusTags, d) }
    static func unsupportedChannelCount(_ d: String) -> Self { Self(.unsupportedChannelCount, d) }
    static func unsupportedMappingFamily(_ d: String) -> Self { Self(.unsupportedMappingFamily, d) }
    static func invalidOpusPacket(_ d: String) -> Self { Self(.invalidOpusPacket, d) }
    static func opusLibrary(_ d: String) -> Self { Self(.opusLibrary, d) }
    static func unsupportedSampleRate(_ d: String) -> Self { Self(.unsupportedSampleRate, d) }
    static func invalidWAV(_ d: String) -> Self { Self(.invalidWAV, d) }
    public static func unknownFormat(_ d: String) -> Self { Self(.unknownFormat, d) }
}
