/// A shop's grammar: its intents (with those of included files), lists and expansion rules.
/// One value drives the decoder constraint, the interpreter and the sampler.
public struct IntentGrammar: Sendable {
    public static let defaultState = DialogState.main

    public var name: String
    /// In matching order: the file's own intents, then those of its includes.
    public var intents: [IntentDefinition]
    public var lists: [String: SlotList]
    public var rules: [String: Expression]

    /// Every dialog state some intent is active in.
    public var states: Set<DialogState> { intents.reduce(into: []) { $0.formUnion($1.states) } }

    /// The intents active in a dialog state, in matching order.
    public func intents(in state: DialogState) throws(GrammarError) -> [IntentDefinition] {
        let active = intents.filter { $0.states.contains(state) }
        guard !active.isEmpty else {
            throw .unknownState(nil, "no intent of grammar '\(name)' is active in state '\(state)'; states: \(states.sorted().map(\.rawValue).joined(separator: ", "))")
        }
        return active
    }

    /// Checks that every `{list}` and `<rule>` is defined and that rules do not recurse.
    func validateReferences() throws(GrammarError) {
        let templates = intents.flatMap(\.sentences) + Array(rules.values) + lists.values.flatMap { $0.values.map(\.spoken) }
        for template in templates {
            try template.forEachReference { reference throws(GrammarError) in
                switch reference {
                case .list(let name, _, let location) where lists[name] == nil:
                    throw .undefinedList(location, "list '{\(name)}' is not defined")
                case .rule(let name, let location) where rules[name] == nil:
                    throw .undefinedRule(location, "rule '<\(name)>' is not defined")
                default: break
                }
            }
        }
        for name in rules.keys.sorted() { try checkRecursion(rule: name, path: []) }
    }

    private func checkRecursion(rule: String, path: [String]) throws(GrammarError) {
        guard let expression = rules[rule] else { return }
        try expression.forEachReference { reference throws(GrammarError) in
            guard case .rule(let next, let location) = reference else { return }
            if next == rule || path.contains(next) {
                throw .recursiveRule(location, "rule '<\(next)>' refers to itself via \((path + [rule, next]).joined(separator: " → "))")
            }
            try checkRecursion(rule: next, path: path + [rule])
        }
    }

    /// Every distinct word the grammar can produce, with where each was first written.
    public func vocabulary() -> [(word: String, location: SourceLocation)] {
        var seen: [String: SourceLocation] = [:]
        var ordered: [String] = []
        let templates = intents.flatMap(\.sentences) + rules.keys.sorted().compactMap { rules[$0] }
            + lists.keys.sorted().flatMap { lists[$0]!.values.map(\.spoken) }
        for template in templates {
            template.forEachWord { word, location in
                if seen[word] == nil {
                    seen[word] = location
                    ordered.append(word)
                }
            }
        }
        return ordered.map { ($0, seen[$0]!) }
    }
}
