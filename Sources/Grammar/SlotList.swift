/// One value of a list: what may be said (itself a template) and the canonical value it yields.
public struct ListValue: Sendable, Equatable {
    public var spoken: Expression
    /// The canonical value; nil means the words actually said (so "[some] soy milk" yields
    /// "some soy milk" or "soy milk").
    public var value: String?

    public init(spoken: Expression, value: String?) {
        self.spoken = spoken
        self.value = value
    }

    /// A phrase template that yields `value` (by default the words said).
    public init(phrase: String, value: String? = nil, location: SourceLocation) throws(GrammarError) {
        self.spoken = try TemplateParser.parse(phrase, at: location)
        self.value = value
    }
}

/// A named list of values, e.g. drink sizes, or products filled in from a catalog.
public struct SlotList: Sendable, Equatable {
    public var name: String
    public var values: [ListValue]
    public var location: SourceLocation
}
