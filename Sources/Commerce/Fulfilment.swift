import Foundation

/// A courier (or the shop's own pickup counter) as Talkshop uses it: hand over a paid order,
/// get a tracking number, then receive status updates as the order moves.
public protocol Fulfilment: Sendable {
    /// Hands over a paid order and returns its tracking number. Idempotent, keyed by the
    /// order: a retried dispatch returns the same number and never starts a second delivery.
    func dispatch(orderId: String, status: OrderStatus) async throws -> String
    /// Makes sure an order handed over earlier (`trackingNumber`, now in `status` since
    /// `since`) is still being delivered. A real courier keeps its own shipments and does
    /// nothing here (the default); a courier that lives in the server's memory, as the sandbox
    /// does, takes up what a restart or a dead node dropped, on its original schedule.
    func resume(orderId: String, trackingNumber: String, status: OrderStatus, since: Date) async
    /// Status updates for dispatched orders, in the order they happen.
    var updates: AsyncStream<TrackingUpdate> { get }
}

extension Fulfilment {
    public func resume(orderId: String, trackingNumber: String, status: OrderStatus, since: Date) async {}
}

public struct TrackingUpdate: Sendable, Equatable {
    public var orderId: String
    public var trackingNumber: String
    public var status: OrderStatus

    public init(orderId: String, trackingNumber: String, status: OrderStatus) {
        self.orderId = orderId
        self.trackingNumber = trackingNumber
        self.status = status
    }
}
