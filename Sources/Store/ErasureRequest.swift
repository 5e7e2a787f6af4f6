import Foundation
import GRDB

/// An officer's request to erase a customer: carried out at once, or — when a hold covers
/// the customer's data — recorded and carried out when the last such hold is released.
public struct ErasureRequest: Codable, Sendable, Equatable {
    public var id: String
    public var customerId: String
    /// The request's reference, e.g. the ticket of the customer's erasure request.
    public var reference: String
    public var reason: String
    public var requestedBy: String
    public var requestedAt: Date
    public var completedAt: Date?

    public init(id: String, customerId: String, reference: String, reason: String, requestedBy: String, requestedAt: Date, completedAt: Date? = nil) {
        self.id = id
        self.customerId = customerId
        self.reference = reference
        self.reason = reason
        self.requestedBy = requestedBy
        self.requestedAt = requestedAt
        self.completedAt = completedAt
    }

    /// A new request for `customerId`, made at `now`.
    package static func new(customerId: String, reference: String, reason: String, officer: String, at now: Date) -> ErasureRequest {
        ErasureRequest(
            id: "erasure_" + UUID().uuidString.lowercased().prefix(8), customerId: customerId, reference: reference, reason: reason,
            requestedBy: officer, requestedAt: now)
    }
}
