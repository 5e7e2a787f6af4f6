/// One value of a list: what may be said (itself a template) and the canonical value it yields.
public struct ListValue: Sendable, Equatable {
    public var spoken: Expression
    /// The canonical value; nil means the words actually said (so "[some] soy milk" yields
    /// "some soy milk" or "soy milk").
    public var value: String?
    /// For a catalog product: the units it is sold in (`units:` in the catalog), which a list
    /// marked `soldIn:` pairs with.
    public var soldIn: Set<String> = []

    public init(spoken: Expression, value: String?) {
        self.spoken = spoken
        self.value = value
    }

    /// A phrase template that yields `value` (by default the words said).
    public init(phrase: String, value: String? = nil, soldIn: Set<String> = [], location: SourceLocation) throws(GrammarError) {
        self.spoken = try TemplateParser.parse(phrase, at: location)
        self.value = value
        self.soldIn = soldIn
    }
}

/// A named list of values, e.g. drink sizes, or products filled in from a catalog.
public struct SlotList: Sendable, Equatable {
    public var name: String
    public var values: [ListValue]
    public var location: SourceLocation
    /// A catalog list said after a unit: the slot holding that unit, whose value limits this
    /// list to the products sold in it (`IntentGrammar.pairCatalogLists`).
    public var soldIn: String?

    public init(name: String, values: [ListValue], location: SourceLocation, soldIn: String? = nil) {
        self.name = name
        self.values = values
        self.location = location
        self.soldIn = soldIn
    }
}
