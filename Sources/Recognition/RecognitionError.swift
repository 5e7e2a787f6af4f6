/// Errors of the speech decoder layer, as a struct around a private code (SwiftNIO convention).
public struct RecognitionError: Error, Hashable, CustomStringConvertible, Sendable {
    private enum Code: String, Hashable, Sendable {
        case configuration = "decoder_configuration"
        case modelMissing = "model_missing"
        case grammar = "grammar_rejected"
        case unknownSearch = "unknown_grammar"
        case decoding = "decoding_failed"
    }

    private let code: Code
    public let detail: String

    private init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var identifier: String { code.rawValue }
    public var description: String { "\(code.rawValue): \(detail)" }
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public static let configuration = Self(.configuration, "")
    public static let modelMissing = Self(.modelMissing, "")
    public static let grammar = Self(.grammar, "")
    public static let unknownSearch = Self(.unknownSearch, "")
    public static let decoding = Self(.decoding, "")

    static func configuration(_ detail: String) -> Self { Self(.configuration, detail) }
    static func modelMissing(_ detail: String) -> Self { Self(.modelMissing, detail) }
    static func grammar(_ detail: String) -> Self { Self(.grammar, detail) }
    static func unknownSearch(_ detail: String) -> Self { Self(.unknownSearch, detail) }
    static func decoding(_ detail: String) -> Self { Self(.decoding, detail) }
}
