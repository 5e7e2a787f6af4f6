import Foundation
import GRDB

/// A token for the admin API, held by a person in a role. Only its SHA-256 hash is stored.
public struct StaffToken: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public enum Role: String, Codable, Sendable, CaseIterable {
        /// Compliance officer: holds, releases, purges, erasure, sweeps, exports, audit.
        case officer
        /// Operator: may read the audit trail's state and the holds; changes nothing.
        case `operator`
        /// A shop's web back end: may start web sessions (`POST /v1/web/session`) for the
        /// customers it has signed in; nothing in the admin API.
        case backend
    }

    public var id: String
    public var name: String
    public var role: Role
    public var tokenHash: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, tokenHash: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.role = role
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// A new token for a person, not yet stored (the token is shown once and never stored).
    public static func issue(name: String, role: Role, at now: Date = Date()) throws -> (staff: StaffToken, token: String) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw RetentionOffice.Refusal(description: "a staff token needs a name") }
        // The name is the actor of every audit entry the person's actions write.
        if let scalar = StoredText.refusedScalar(in: name) {
            throw RetentionOffice.Refusal(description: StoredText.Invalid(field: "name", scalar: scalar).description)
        }
        let token = "tss_" + DeviceRegistry.newToken().dropFirst("tsk_".count)
        let staff = StaffToken(id: UUID().uuidString.lowercased(), name: name, role: role, tokenHash: DeviceRegistry.hash(token), createdAt: now, revokedAt: nil)
        return (staff, token)
    }
}

/// Where admin API tokens are kept: the SQLite database (`StaffTokens`) or PostgreSQL
/// (`PostgresStaffTokens`), so an officer's token works on every node.
public protocol StaffDirectory: Sendable {
    func issue(name: String, role: StaffToken.Role) async throws -> (staff: StaffToken, token: String)
    func staff(forToken token: String) async throws -> StaffToken?
    @discardableResult
    func revoke(id: String) async throws -> Bool
    func all() async throws -> [StaffToken]
}

/// Issues, checks and revokes admin API tokens (`talkshop staff add|list|revoke`), in SQLite.
public struct StaffTokens: StaffDirectory {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Creates a token for a person; the token is shown once and never stored.
    public func issue(name: String, role: StaffToken.Role) throws -> (staff: StaffToken, token: String) {
        let (staff, token) = try StaffToken.issue(name: name, role: role)
        try database.writer.write { db in try staff.insert(db) }
        return (staff, token)
    }

    /// The unrevoked staff member a token belongs to, or nil.
    public func staff(forToken token: String) throws -> StaffToken? {
        let hash = DeviceRegistry.hash(token)
        return try database.writer.read { db in
            try StaffToken.filter(StaffToken.Columns.tokenHash == hash && StaffToken.Columns.revokedAt == nil).fetchOne(db)
        }
    }

    @discardableResult
    public func revoke(id: String) throws -> Bool {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE staffToken SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL", arguments: [Date(), id])
            return db.changesCount > 0
        }
    }

    public func all() throws -> [StaffToken] {
        try database.writer.read { db in try StaffToken.order(StaffToken.Columns.createdAt).fetchAll(db) }
    }
}

extension StaffToken {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let createdAt = Column(CodingKeys.createdAt)
        static let revokedAt = Column(CodingKeys.revokedAt)
        static let tokenHash = Column(CodingKeys.tokenHash)
    }
}
