/// Where a conversation is, which decides what may be heard: each intent of a grammar lists
/// the states it is active in (docs/grammar.md, "Dialog states").
public enum DialogState: String, Sendable, Codable, CaseIterable, Comparable, CustomStringConvertible {
    /// Normal conversation: orders, questions, the cart.
    case main
    /// An order or a cancellation waits for an explicit yes or no.
    case confirmation
    /// A purchase PIN is being spoken.
    case pin

    /// As grammar files and the wire spell it.
    public var description: String { rawValue }

    /// In the order of their names, as listings and decoders have always taken them.
    public static func < (lhs: DialogState, rhs: DialogState) -> Bool { lhs.rawValue < rhs.rawValue }
}
