import Foundation

/// An order moved to another status: the order as it becomes, its event, and the stock it
/// puts back. Decided once here; a backend writes it in the transaction that read the order.
public struct OrderTransition: Sendable, Equatable {
    public var order: OrderRecord
    public var event: OrderEvent
    /// Lines whose quantities go back into stock (a cancellation before dispatch, a refund).
    public var restocked: [Cart.Line]
}

extension OrderRecord {
    /// The move to `status`, if it is a legal transition — and, given `expected`, only from
    /// that status (so two paths racing on one order cannot both act). Throws
    /// `CommerceError.illegalTransition` otherwise.
    public func transition(
        to status: OrderStatus, from expected: OrderStatus? = nil, note: String? = nil, source: String, at now: Date
    ) throws -> OrderTransition {
        if let expected, self.status != expected { throw CommerceError.illegalTransition(from: self.status, to: status) }
        _ = try self.status.transition(to: status)
        var moved = self
        moved.status = status
        moved.updatedAt = now
        return OrderTransition(
            order: moved, event: OrderEvent(id: nil, orderId: id, status: status, note: note, source: source, createdAt: now),
            restocked: self.status.returnsStock(movingTo: status) ? try lines() : [])
    }
}

/// No order has this id.
public struct OrderNotFound: Error, Equatable, CustomStringConvertible {
    public var id: String
    public init(id: String) { self.id = id }
    public var description: String { "no order \(id)" }
}
