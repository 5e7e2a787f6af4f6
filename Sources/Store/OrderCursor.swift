import Commerce
import Foundation

/// Where a page of orders ended (oldest first: by creation time, then id).
public struct OrderCursor: Sendable, Equatable {
    public var createdAt: Date
    public var id: String

    public init(after order: OrderRecord) {
        createdAt = order.createdAt
        id = order.id
    }
}
