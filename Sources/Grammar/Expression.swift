/// A parsed sentence template. Permutations are expanded into alternatives when parsed, so
/// the decoder constraint, the interpreter and the sampler all see the same tree.
public indirect enum Expression: Sendable, Equatable {
    case word(String, SourceLocation)
    case sequence([Expression])
    case alternatives([Expression])
    case optional(Expression)
    /// `{list}` or `{list:slot}`: one value of a list, captured as a slot.
    case list(name: String, slot: String, SourceLocation)
    /// `<rule>`: the expansion rule of that name.
    case rule(name: String, SourceLocation)

    /// Every word with where it was written, for the lexicon check.
    func forEachWord(_ body: (String, SourceLocation) -> Void) {
        switch self {
        case .word(let word, let location): body(word, location)
        case .sequence(let items), .alternatives(let items): for item in items { item.forEachWord(body) }
        case .optional(let inner): inner.forEachWord(body)
        case .list, .rule: break
        }
    }

    /// Every list and rule reference, for checking that they are defined.
    func forEachReference(_ body: (Expression) throws(GrammarError) -> Void) throws(GrammarError) {
        switch self {
        case .word: break
        case .sequence(let items), .alternatives(let items): for item in items { try item.forEachReference(body) }
        case .optional(let inner): try inner.forEachReference(body)
        case .list, .rule: try body(self)
        }
    }
}
