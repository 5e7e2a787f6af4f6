/// Generates example sentences from a grammar, each with the intent and slots it expresses,
/// for tests, docs and fixtures.
public struct SentenceSampler: Sendable {
    public struct Sample: Sendable, Equatable {
        public var text: String
        public var intent: Intent
    }

    public let grammar: IntentGrammar

    public init(grammar: IntentGrammar) { self.grammar = grammar }

    /// One random sentence of a random intent active in `state`.
    public func sample(state: DialogState = IntentGrammar.defaultState, using generator: inout some RandomNumberGenerator)
        throws(GrammarError) -> Sample
    {
        let intents = try grammar.intents(in: state)
        let intent = intents.randomElement(using: &generator)!
        let sentence = intent.sentences.randomElement(using: &generator)!
        var words: [String] = []
        var slots = intent.fixedSlots
        produce(sentence, &words, &slots, &generator)
        let text = words.joined(separator: " ")
        return Sample(text: text, intent: Intent(name: intent.name, slots: slots, text: text))
    }

    private func produce(
        _ expression: Expression, _ words: inout [String], _ slots: inout [String: String],
        _ generator: inout some RandomNumberGenerator
    ) {
        switch expression {
        case .word(let word, _): words.append(word)
        case .sequence(let items): for item in items { produce(item, &words, &slots, &generator) }
        case .alternatives(let items): produce(items.randomElement(using: &generator)!, &words, &slots, &generator)
        case .optional(let inner): if Bool.random(using: &generator) { produce(inner, &words, &slots, &generator) }
        case .list(let name, let slot, _):
            let value = grammar.lists[name]!.values.randomElement(using: &generator)!
            let start = words.count
            produce(value.spoken, &words, &slots, &generator)
            slots[slot] = value.value ?? words[start...].joined(separator: " ")
        case .rule(let name, _): produce(grammar.rules[name]!, &words, &slots, &generator)
        }
    }

    /// How many word sequences the sentences of `state` can produce, counting each way of
    /// deriving one; distinct sentences are at most this many.
    public func derivationCount(state: DialogState = IntentGrammar.defaultState) throws(GrammarError) -> Double {
        try grammar.intents(in: state).reduce(0) { total, intent in
            total + intent.sentences.reduce(0) { $0 + count($1) }
        }
    }

    private func count(_ expression: Expression) -> Double {
        switch expression {
        case .word: 1
        case .sequence(let items): items.reduce(1) { $0 * count($1) }
        case .alternatives(let items): items.reduce(0) { $0 + count($1) }
        case .optional(let inner): 1 + count(inner)
        case .list(let name, _, _): grammar.lists[name]!.values.reduce(0) { $0 + count($1.spoken) }
        case .rule(let name, _): count(grammar.rules[name]!)
        }
    }
}

/// SplitMix64: a small seeded generator, so sampled sentences and fuzz runs reproduce.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
