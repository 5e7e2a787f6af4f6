/// What became of a stored turn, kept as a stable code in `Turn.outcome`: `accepted`,
/// `rejected:<reason>` or `replayed`, with ` (pin withheld)` after it when the turn was heard
/// while a PIN was awaited and so keeps no words. Rows written by every version read back.
public struct TurnOutcome: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case accepted
        /// Heard but not acted on: no match, low confidence, a near miss … (the recogniser's reason).
        case rejected(reason: String)
        /// The audio had already led to an order.
        case replayed
    }

    public var kind: Kind
    public var pinWithheld: Bool

    public init(_ kind: Kind, pinWithheld: Bool = false) {
        self.kind = kind
        self.pinWithheld = pinWithheld
    }

    private static let withheldSuffix = " (pin withheld)"
    private static let rejectedPrefix = "rejected:"

    /// The code as stored.
    public var code: String {
        let base =
            switch kind {
            case .accepted: "accepted"
            case .rejected(let reason): Self.rejectedPrefix + reason
            case .replayed: "replayed"
            }
        return pinWithheld ? base + Self.withheldSuffix : base
    }

    /// The outcome a stored code means. A code no version wrote counts as a rejection for that
    /// reason, so an analytics rebuild still counts the turn.
    public init(code: String) {
        pinWithheld = code.hasSuffix(Self.withheldSuffix)
        let base = pinWithheld ? String(code.dropLast(Self.withheldSuffix.count)) : code
        kind =
            switch base {
            case "accepted": .accepted
            case "replayed": .replayed
            case let rejected where rejected.hasPrefix(Self.rejectedPrefix): .rejected(reason: String(rejected.dropFirst(Self.rejectedPrefix.count)))
            default: .rejected(reason: base)
            }
    }

    /// Why the turn was not acted on, as the analytics count it; nil when it was accepted.
    public var rejectionReason: String? {
        switch kind {
        case .accepted: nil
        case .rejected(let reason): reason
        case .replayed: "replayed"
        }
    }
}
