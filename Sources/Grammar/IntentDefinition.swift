/// An intent: the sentences that express it and the dialog states in which it may be heard.
public struct IntentDefinition: Sendable, Equatable {
    public var name: String
    public var sentences: [Expression]
    /// Dialog states in which this intent is active (default: `main`).
    public var states: Set<DialogState>
    /// Slots every match of this intent carries, e.g. `quantity: "12"` for "a dozen".
    public var fixedSlots: [String: String]
    public var location: SourceLocation
}
