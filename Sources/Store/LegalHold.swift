import Foundation
import GRDB

/// A legal hold on a customer's, a session's or an order's records: while it is active
/// nothing under it may be purged, swept or erased.
public struct LegalHold: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public enum Scope: String, Codable, Sendable, CaseIterable {
        case customer, session, order
    }

    public var id: String
    public var scope: Scope
    public var subjectId: String
    public var reason: String
    public var placedBy: String
    public var placedAt: Date
    public var releasedBy: String?
    public var releasedAt: Date?

    public var isActive: Bool { releasedAt == nil }

    public init(
        id: String, scope: Scope, subjectId: String, reason: String, placedBy: String, placedAt: Date, releasedBy: String? = nil,
        releasedAt: Date? = nil
    ) {
        self.id = id
        self.scope = scope
        self.subjectId = subjectId
        self.reason = reason
        self.placedBy = placedBy
        self.placedAt = placedAt
        self.releasedBy = releasedBy
        self.releasedAt = releasedAt
    }

    /// A new hold's id.
    package static func newId() -> String { "hold_" + UUID().uuidString.lowercased().prefix(8) }

    /// True for a turn or recording row (both have customerId, sessionId and orderId) that
    /// an active hold covers. IFNULL: `NULL IN (…)` is NULL, and `NOT NULL` would count a row
    /// without an order as neither held nor free.
    static let coversRow: SQL = """
        IFNULL(sessionId IN (SELECT subjectId FROM legalHold WHERE scope = 'session' AND releasedAt IS NULL)
         OR customerId IN (SELECT subjectId FROM legalHold WHERE scope = 'customer' AND releasedAt IS NULL)
         OR orderId IN (SELECT subjectId FROM legalHold WHERE scope = 'order' AND releasedAt IS NULL), 0)
        """
}

/// An officer's request to erase a customer: carried out at once, or — when a hold covers
/// the customer's data — recorded and carried out when the last such hold is released.
public struct ErasureRequest: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
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

extension LegalHold {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let placedAt = Column(CodingKeys.placedAt)
        static let releasedAt = Column(CodingKeys.releasedAt)
    }
}

extension ErasureRequest {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let completedAt = Column(CodingKeys.completedAt)
        static let requestedAt = Column(CodingKeys.requestedAt)
    }
}
