import Foundation
import GRDB

/// Issues, checks and revokes admin API tokens (`talkshop staff add|list|revoke`), in SQLite.
public struct SQLiteStaffStorage: StaffStorage {
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
        let hash = SQLiteDeviceStorage.hash(token)
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
