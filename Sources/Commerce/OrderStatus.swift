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
    /// Ended unpaid after its money was captured, and the provider would not give it back:
    /// the order recovery retries the refund until it succeeds (then `cancelled`), or staff
    /// cancel it themselves.
    case refundFailed = "refund_failed"

    public var allowedNext: Set<OrderStatus> {
        switch self {
        case .pendingConfirmation: [.placed, .cancelled]
        case .placed: [.paid, .cancelled, .refundFailed]
        case .paid: [.preparing, .cancelled, .refunded]
        case .preparing: [.outForDelivery, .readyForPickup, .refunded]
        case .outForDelivery, .readyForPickup: [.delivered, .refunded]
        case .delivered: [.refunded]
        case .refundFailed: [.cancelled, .refunded]
        case .cancelled, .refunded: []
        }
    }

    /// Whether moving to `next` ends the order unfulfilled, so that its stock goes back on the
    /// shelf: once, when it first ends (a refund retried later returns nothing again).
    public func returnsStock(movingTo next: OrderStatus) -> Bool {
        (next == .cancelled || next == .refundFailed) && self != .refundFailed
    }

    /// Whether an order in this status has already been through `other` on its way to the
    /// customer (`out_for_delivery` has reached `preparing`): a repeated courier update.
    public func hasReached(_ other: OrderStatus) -> Bool {
        let path: [OrderStatus] = [.placed, .paid, .preparing, .outForDelivery, .delivered]
        func step(_ status: OrderStatus) -> Int? { path.firstIndex(of: status == .readyForPickup ? .outForDelivery : status) }
        guard let mine = step(self), let theirs = step(other) else { return false }
        return mine >= theirs
    }

    /// Orders that ended without the customer keeping the goods: not counted against spending
    /// limits or as recent orders by the repeat guard.
    public static let unfulfilled: Set<OrderStatus> = [.cancelled, .refunded, .refundFailed]

    /// `unfulfilled` as an SQL list, for both backends' spending queries: `('cancelled', …)`.
    public static var unfulfilledSQLList: String {
        "(" + unfulfilled.map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ") + ")"
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
