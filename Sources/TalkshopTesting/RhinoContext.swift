import Foundation
import Grammar
import Yams

/// The Picovoice benchmark's own grammar (Rhino context format), used to rebuild the
/// sentences behind its labels: `[a, b]` is a choice, `$type:slot` a slot of a slot type.
public struct RhinoContext: Sendable {
    public enum Token: Equatable, Sendable {
        case word(String)
        case choice([String])
        case slot(type: String, name: String)
    }

    public var expressions: [[Token]]
    public var slotValues: [String: [String]]

    public init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        let root = try Yams.load(yaml: text) as? [String: Any]
        let context = root?["context"] as? [String: Any]
        let intents = context?["expressions"] as? [String: Any] ?? [:]
        let slots = context?["slots"] as? [String: Any] ?? [:]
        slotValues = slots.mapValues { ($0 as? [Any] ?? []).map { "\($0)" } }
        expressions = (intents["orderDrink"] as? [Any] ?? []).map { Self.tokens("\($0)") }
    }

    static func tokens(_ expression: String) -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(expression)
        while let first = rest.first {
            if first == " " {
                rest = rest.dropFirst()
            } else if first == "[" {
                let close = rest.firstIndex(of: "]")!
                let options = rest[rest.index(after: rest.startIndex)..<close].split(separator: ",")
                tokens.append(.choice(options.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }))
                rest = rest[rest.index(after: close)...]
            } else {
                let end = rest.firstIndex(of: " ") ?? rest.endIndex
                let word = rest[..<end]
                if word.hasPrefix("$") {
                    let parts = word.dropFirst().split(separator: ":")
                    tokens.append(.slot(type: String(parts[0]), name: String(parts[1])))
                } else {
                    tokens.append(.word(word.lowercased()))
                }
                rest = rest[end...]
            }
        }
        return tokens
    }

    /// The slot names an expression fills.
    public static func slots(of expression: [Token]) -> Set<String> {
        Set(expression.compactMap { if case .slot(_, let name) = $0 { name } else { nil } })
    }

    /// Every sentence an expression gives for fixed slot values (all choices expanded).
    public static func sentences(of expression: [Token], filling values: [String: String]) -> [String] {
        expression.reduce([""]) { prefixes, token in
            let options: [String] =
                switch token {
                case .word(let word): [word]
                case .choice(let choices): choices
                case .slot(_, let name): [values[name]!]
                }
            return prefixes.flatMap { prefix in options.map { prefix.isEmpty ? $0 : "\(prefix) \($0)" } }
        }
    }
}
