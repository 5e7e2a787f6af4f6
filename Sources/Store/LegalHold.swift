import Foundation
import GRDB

/// A legal hold on a customer's or a session's records: while it is active nothing under it
/// may be purged.
public struct LegalHold: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public enum Scope: String, Codable, Sendable, CaseIterable {
        case customer, session
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
}
