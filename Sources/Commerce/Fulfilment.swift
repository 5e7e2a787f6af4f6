import Foundation

/// A courier (or the shop's own pickup counter) as Talkshop uses it: hand over a paid order,
/// get a tracking number, then receive status updates as the order moves.
public protocol Fulfilment: Sendable {
    /// Hands over an order; calling again for the same order returns the same tracking number
    /// and continues from `status` (used after a restart).
    func dispatch(orderId: String, status: OrderStatus) async throws -> String
    /// Status updates for dispatched orders, in the order they happen.
    var updates: AsyncStream<TrackingUpdate> { get }
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
