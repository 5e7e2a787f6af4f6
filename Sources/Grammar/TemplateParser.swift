/// Parses hassil-style sentence templates:
///
///     (a|b)        one of the alternatives
///     [a|b]        optional: nothing, a or b
///     (a; b; c)    permutation: every item once, in any order
///     {list}       a value of a list, captured as the slot `list`
///     {list:slot}  a value of `list`, captured as `slot`
///     <rule>       the expansion rule `rule`
///
/// Words are lowercased; letters, digits, apostrophes and hyphens make up a word.
struct TemplateParser {
    /// A permutation of n items expands to n! orderings; beyond this the grammar is refused.
    static let maxPermutationItems = 6

    private let characters: [Character]
    private let start: SourceLocation
    private var index = 0

    init(_ template: String, at location: SourceLocation) {
        characters = Array(template)
        start = location
    }

    static func parse(_ template: String, at location: SourceLocation) throws(GrammarError) -> Expression {
        var parser = TemplateParser(template, at: location)
        let expression = try parser.parseGroupBody(closing: nil, opener: location)
        return expression
    }

    private func location(_ offset: Int) -> SourceLocation { start.advanced(by: offset) }

    /// Parses until `closing` (or the end of the template when nil).
    private mutating func parseGroupBody(closing: Character?, opener: SourceLocation) throws(GrammarError) -> Expression {
        var branches: [[Expression]] = [[]]
        var branchStarts = [index]
        var separator: Character?
        while true {
            skipSpaces()
            guard index < characters.count else {
                if let closing {
                    throw .unbalancedBracket(opener, "'\(closing == ")" ? "(" : "[")' is never closed")
                }
                break
            }
            let character = characters[index]
            if character == closing {
                index += 1
                break
            }
            switch character {
            case "|", ";":
                guard closing != nil || character == "|" else {
                    throw .unexpectedCharacter(location(index), "a permutation ';' must be inside '( )'")
                }
                if let separator, separator != character {
                    throw .unexpectedCharacter(location(index), "mixing '|' and ';' in one group; add parentheses")
                }
                separator = character
                index += 1
                branches.append([])
                branchStarts.append(index)
            case ")", "]":
                throw .unbalancedBracket(location(index), "'\(character)' has no matching opening bracket")
            default:
                branches[branches.count - 1].append(try parseItem())
            }
        }
        for (number, branch) in branches.enumerated() where branch.isEmpty {
            let message =
                switch (closing, branches.count) {
                case ("[", 1): "empty optional '[]'"
                case (nil, 1): "empty sentence"
                default: "empty alternative; use [ ] to make a part optional"
                }
            throw .emptyAlternative(branches.count == 1 ? opener : location(branchStarts[number]), message)
        }
        let items = branches.map { $0.count == 1 ? $0[0] : Expression.sequence($0) }
        if separator == ";" {
            return try permutation(items, at: opener)
        }
        return items.count == 1 ? items[0] : .alternatives(items)
    }

    private mutating func parseItem() throws(GrammarError) -> Expression {
        let here = location(index)
        let character = characters[index]
        switch character {
        case "(":
            index += 1
            return try parseGroupBody(closing: ")", opener: here)
        case "[":
            index += 1
            return .optional(try parseGroupBody(closing: "]", opener: here))
        case "{":
            let name = try readName(closing: "}", opener: here)
            let parts = name.split(separator: ":", maxSplits: 1).map(String.init)
            return .list(name: parts[0], slot: parts.count == 2 ? parts[1] : parts[0], here)
        case "<":
            return .rule(name: try readName(closing: ">", opener: here), here)
        default:
            guard Self.isWordCharacter(character) else {
                throw .unexpectedCharacter(here, "unexpected '\(character)' in a template")
            }
            var word = ""
            while index < characters.count, Self.isWordCharacter(characters[index]) {
                word.append(characters[index])
                index += 1
            }
            return .word(word.lowercased(), here)
        }
    }

    private mutating func readName(closing: Character, opener: SourceLocation) throws(GrammarError) -> String {
        index += 1
        var name = ""
        while index < characters.count, characters[index] != closing {
            name.append(characters[index])
            index += 1
        }
        guard index < characters.count else {
            throw .unbalancedBracket(opener, "'\(closing == "}" ? "{" : "<")' is never closed")
        }
        index += 1
        let valid = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard valid else { throw .unexpectedCharacter(opener, "invalid name '\(name)'") }
        return name
    }

    private mutating func skipSpaces() {
        while index < characters.count, characters[index].isWhitespace { index += 1 }
    }

    static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "'" || character == "-"
    }

    /// Expands `(a; b; c)` into the alternatives of all its orderings. When every item is
    /// optional, `([a]; [b])`, it becomes "any of them, in any order, or none", written
    /// without the duplicate paths a plain expansion would give (each would match twice).
    private func permutation(_ items: [Expression], at location: SourceLocation) throws(GrammarError) -> Expression {
        guard items.count <= Self.maxPermutationItems else {
            throw .runawayPermutation(
                location,
                "a permutation of \(items.count) items expands to \(items.count)! orderings; at most \(Self.maxPermutationItems) items")
        }
        let optionalInners = items.compactMap { item -> Expression? in
            if case .optional(let inner) = item { return inner }
            return nil
        }
        guard optionalInners.count == items.count else {
            return .alternatives(Self.orderings(of: items).map { .sequence($0) })
        }
        let nonEmpty = Self.subsets(of: optionalInners).flatMap(Self.orderings).map { ordering in
            ordering.count == 1 ? ordering[0] : Expression.sequence(ordering)
        }
        return .optional(.alternatives(nonEmpty))
    }

    /// Non-empty subsets, keeping the items' order within each.
    private static func subsets(of items: [Expression]) -> [[Expression]] {
        (1..<(1 << items.count)).map { mask in items.indices.filter { mask & (1 << $0) != 0 }.map { items[$0] } }
    }

    private static func orderings(of items: [Expression]) -> [[Expression]] {
        guard items.count > 1 else { return [items] }
        return items.indices.flatMap { chosen in
            var rest = items
            let first = rest.remove(at: chosen)
            return orderings(of: rest).map { [first] + $0 }
        }
    }
}
