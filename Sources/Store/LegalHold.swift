import Foundation
import GRDB

/// A legal hold on a customer's, a session's or an order's records: while it is active
/// nothing under it may be purged, swept or erased.
public struct LegalHold: Codable, Sendable, Equatable {
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
