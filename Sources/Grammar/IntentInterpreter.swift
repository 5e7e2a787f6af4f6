/// Turns a word sequence (a decoder hypothesis or typed text) into an intent, or nil.
///
/// Matching is exhaustive and deterministic. When a sentence could match in several ways the
/// first one wins, in this order: intents in grammar order (a file's own intents before those
/// it includes), sentences in the order written, alternatives left to right, an optional part
/// present before absent, list values in list order.
public struct IntentInterpreter: Sendable {
    public let grammar: IntentGrammar

    public init(grammar: IntentGrammar) { self.grammar = grammar }

    /// Lowercases and splits text into words, dropping punctuation other than apostrophes.
    /// Typed text is normalised first: Unicode NFC (so "café" is one word however it was
    /// typed), and format and control characters removed (a zero-width space, a NUL or a
    /// bidirectional override inside "yes" leaves "yes", the word a person reads on screen).
    public static func words(in text: String) -> [String] {
        let cleaned = visibleText(text).lowercased().map { TemplateParser.isWordCharacter($0) ? $0 : " " }
        return String(cleaned).split(separator: " ").map(String.init)
    }

    /// `text` in NFC without its invisible characters; tabs and line breaks become spaces.
    static func visibleText(_ text: String) -> String {
        var visible = String.UnicodeScalarView()
        for scalar in text.precomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control: if scalar == "\t" || scalar == "\n" || scalar == "\r" { visible.append(" ") }
            case .format: continue
            default: visible.append(scalar)
            }
        }
        return String(visible)
    }

    public func interpret(_ text: String, state: DialogState = IntentGrammar.defaultState) throws(GrammarError) -> Intent? {
        try interpret(words: Self.words(in: text), state: state)
    }

    public func interpret(words: [String], state: DialogState = IntentGrammar.defaultState) throws(GrammarError) -> Intent? {
        for intent in try grammar.intents(in: state) {
            for sentence in intent.sentences {
                var found: [String: String]?
                _ = match(sentence, words, 0, [:]) { end, slots in
                    guard end == words.count else { return false }
                    found = slots
                    return true
                }
                if let found {
                    return Intent(
                        name: intent.name, slots: intent.fixedSlots.merging(found) { _, captured in captured },
                        text: words.joined(separator: " "))
                }
            }
        }
        return nil
    }

    /// How far `words` are from a whole sentence of the state's grammar: the endpointer ends
    /// a complete one after a shorter silence, and a finished one sooner still.
    public func completeness(of words: [String], state: DialogState = IntentGrammar.defaultState) throws(GrammarError) -> SentenceCompleteness {
        guard !words.isEmpty, try interpret(words: words, state: state) != nil else { return .incomplete }
        for intent in try grammar.intents(in: state) {
            for sentence in intent.sentences where match(sentence, words, 0, [:], extending: true, { _, _ in false }) {
                return .complete
            }
        }
        return .finished
    }

    /// Depth-first matching with continuations: `next` gets each way `expression` can end,
    /// and returns true to stop the search. `extending`: also stop (true) as soon as all the
    /// words are matched and the expression wants another: the words can go on.
    private func match(
        _ expression: Expression, _ words: [String], _ position: Int, _ slots: [String: String],
        extending: Bool = false, _ next: (Int, [String: String]) -> Bool
    ) -> Bool {
        switch expression {
        case .word(let word, _):
            if extending, position == words.count { return true }
            return position < words.count && words[position] == word && next(position + 1, slots)
        case .sequence(let items):
            return matchSequence(items[...], words, position, slots, extending: extending, next)
        case .alternatives(let items):
            return items.contains { match($0, words, position, slots, extending: extending, next) }
        case .optional(let inner):
            return match(inner, words, position, slots, extending: extending, next) || next(position, slots)
        case .list(let name, let slot, _):
            guard let list = grammar.lists[name] else { return false }
            return list.values.contains { value in
                match(value.spoken, words, position, slots, extending: extending) { end, inner in
                    var captured = inner
                    captured[slot] = value.value ?? words[position..<end].joined(separator: " ")
                    return next(end, captured)
                }
            }
        case .rule(let name, _):
            guard let rule = grammar.rules[name] else { return false }
            return match(rule, words, position, slots, extending: extending, next)
        }
    }

    private func matchSequence(
        _ items: ArraySlice<Expression>, _ words: [String], _ position: Int, _ slots: [String: String],
        extending: Bool = false, _ next: (Int, [String: String]) -> Bool
    ) -> Bool {
        guard let first = items.first else { return next(position, slots) }
        return match(first, words, position, slots, extending: extending) { end, captured in
            matchSequence(items.dropFirst(), words, end, captured, extending: extending, next)
        }
    }
}
