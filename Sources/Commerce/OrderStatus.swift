/// Where an order is in its life. Only the transitions in `allowedNext` are legal.
///
///     pending_confirmation → placed → paid → preparing → out_for_delivery | ready_for_pickup → delivered
///     cancelled (before preparing), refunded (after payment)
public enum OrderStatus: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case pendingConfirmation = "pending_confirmation"
    case placed
    case paid
    case preparing
    case outForDelivery = "out_for_delivery"
    case readyForPickup = "ready_for_pickup"
    case delivered
    case cancelled
    case refunded

    public var allowedNext: Set<OrderStatus> {
        switch self {
        case .pendingConfirmation: [.placed, .cancelled]
        case .placed: [.paid, .cancelled]
        case .paid: [.preparing, .cancelled, .refunded]
        case .preparing: [.outForDelivery, .readyForPickup, .refunded]
        case .outForDelivery, .readyForPickup: [.delivered, .refunded]
        case .delivered: [.refunded]
        case .cancelled, .refunded: []
        }
    }

    public var isFinal: Bool { allowedNext.isEmpty }

    /// As stored and sent: `out_for_delivery`, never the case name.
    public var description: String { rawValue }

    /// The next status, or a typed error naming the illegal move.
    public func transition(to next: OrderStatus) throws(CommerceError) -> OrderStatus {
        guard allowedNext.contains(next) else { throw .illegalTransition(from: self, to: next) }
        return next
    }
}
