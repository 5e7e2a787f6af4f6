/// What a customer meant: an intent with its slots, and the words it was matched from.
public struct Intent: Sendable, Equatable, Codable {
    public var name: String
    /// Slot name → canonical value, e.g. `size: "large"`.
    public var slots: [String: String]
    public var text: String

    public init(name: String, slots: [String: String], text: String) {
        self.name = name
        self.slots = slots
        self.text = text
    }
}
