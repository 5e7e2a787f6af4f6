/// Everything that can be wrong with a grammar, each with the position it was found at.
///
/// A public struct around a private code enum (the SwiftNIO convention): callers match on
/// the static prototypes, e.g. `catch let error where error == .unknownWord`.
public struct GrammarError: Error, Hashable, CustomStringConvertible, Sendable {
    private enum Code: String, Hashable, Sendable {
        case unreadableFile = "unreadable_file"
        case yamlSyntax = "yaml_syntax"
        case invalidStructure = "invalid_structure"
        case unbalancedBracket = "unbalanced_bracket"
        case unexpectedCharacter = "unexpected_character"
        case emptyAlternative = "empty_alternative"
        case runawayPermutation = "runaway_permutation"
        case undefinedRule = "undefined_rule"
        case undefinedList = "undefined_list"
        case recursiveRule = "recursive_rule"
        case duplicateIntent = "duplicate_intent"
        case duplicateKey = "duplicate_key"
        case unknownWord = "unknown_word"
        case missingCatalog = "missing_catalog"
        case unknownState = "unknown_state"
    }

    private let code: Code
    public let location: SourceLocation?
    public let detail: String

    private init(_ code: Code, _ location: SourceLocation?, _ detail: String) {
        self.code = code
        self.location = location
        self.detail = detail
    }

    public var identifier: String { code.rawValue }

    /// `file:line:column: error: detail`, the format editors and CI logs understand.
    public var description: String {
        if let location { return "\(location): error: \(detail) [\(code.rawValue)]" }
        return "error: \(detail) [\(code.rawValue)]"
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public static let unreadableFile = Self(.unreadableFile, nil, "")
    public static let yamlSyntax = Self(.yamlSyntax, nil, "")
    public static let invalidStructure = Self(.invalidStructure, nil, "")
    public static let unbalancedBracket = Self(.unbalancedBracket, nil, "")
    public static let unexpectedCharacter = Self(.unexpectedCharacter, nil, "")
    public static let emptyAlternative = Self(.emptyAlternative, nil, "")
    public static let runawayPermutation = Self(.runawayPermutation, nil, "")
    public static let undefinedRule = Self(.undefinedRule, nil, "")
    public static let undefinedList = Self(.undefinedList, nil, "")
    public static let recursiveRule = Self(.recursiveRule, nil, "")
    public static let duplicateIntent = Self(.duplicateIntent, nil, "")
    public static let duplicateKey = Self(.duplicateKey, nil, "")
    public static let unknownWord = Self(.unknownWord, nil, "")
    public static let missingCatalog = Self(.missingCatalog, nil, "")
    public static let unknownState = Self(.unknownState, nil, "")

    static func unreadableFile(_ detail: String) -> Self { Self(.unreadableFile, nil, detail) }
    static func yamlSyntax(_ at: SourceLocation?, _ detail: String) -> Self { Self(.yamlSyntax, at, detail) }
    static func invalidStructure(_ at: SourceLocation?, _ detail: String) -> Self { Self(.invalidStructure, at, detail) }
    static func unbalancedBracket(_ at: SourceLocation, _ detail: String) -> Self { Self(.unbalancedBracket, at, detail) }
    static func unexpectedCharacter(_ at: SourceLocation, _ detail: String) -> Self { Self(.unexpectedCharacter, at, detail) }
    static func emptyAlternative(_ at: SourceLocation, _ detail: String) -> Self { Self(.emptyAlternative, at, detail) }
    static func runawayPermutation(_ at: SourceLocation, _ detail: String) -> Self { Self(.runawayPermutation, at, detail) }
    static func undefinedRule(_ at: SourceLocation, _ detail: String) -> Self { Self(.undefinedRule, at, detail) }
    static func undefinedList(_ at: SourceLocation, _ detail: String) -> Self { Self(.undefinedList, at, detail) }
    static func recursiveRule(_ at: SourceLocation, _ detail: String) -> Self { Self(.recursiveRule, at, detail) }
    static func duplicateIntent(_ at: SourceLocation?, _ detail: String) -> Self { Self(.duplicateIntent, at, detail) }
    static func duplicateKey(_ at: SourceLocation?, _ detail: String) -> Self { Self(.duplicateKey, at, detail) }
    static func unknownWord(_ at: SourceLocation, _ detail: String) -> Self { Self(.unknownWord, at, detail) }
    static func missingCatalog(_ at: SourceLocation?, _ detail: String) -> Self { Self(.missingCatalog, at, detail) }
    static func unknownState(_ at: SourceLocation?, _ detail: String) -> Self { Self(.unknownState, at, detail) }
}
