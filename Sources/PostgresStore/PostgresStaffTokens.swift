import Foundation
import Logging
import PostgresNIO
import Store

/// Admin API tokens in PostgreSQL: issued on one node, honoured and revoked on all. Only the
/// SHA-256 of a token is stored.
public struct PostgresStaffTokens: StaffDirectory {
    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    public func issue(name: String, role: StaffToken.Role) async throws -> (staff: StaffToken, token: String) {
        let (staff, token) = try StaffToken.issue(name: name, role: role)
        try await database.withConnection { connection, logger in
            try await connection.query(
                """
                INSERT INTO "staffToken" ("id", "name", "role", "tokenHash", "createdAt", "revokedAt")
                VALUES (\(staff.id), \(staff.name), \(staff.role.rawValue), \(staff.tokenHash), \(staff.createdAt), \(staff.revokedAt))
                """, logger: logger)
        }
        return (staff, token)
    }

    public func staff(forToken token: String) async throws -> StaffToken? {
        try await tokens(where: #""tokenHash" = $1 AND "revokedAt" IS NULL"#, DeviceRegistry.hash(token)).first
    }

    @discardableResult
    public func revoke(id: String) async throws -> Bool {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"UPDATE "staffToken" SET "revokedAt" = \#(Date()) WHERE "id" = \#(id) AND "revokedAt" IS NULL RETURNING "id""#, logger: logger)
            var revoked = false
            for try await _ in rows.decode(String.self) { revoked = true }
            return revoked
        }
    }

    public func all() async throws -> [StaffToken] {
        try await tokens(where: "TRUE")
    }

    private func tokens(where condition: String, _ value: String? = nil) async throws -> [StaffToken] {
        try await database.withConnection { connection, logger in
            var bindings = PostgresBindings()
            if let value { bindings.append(value) }
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: #"SELECT "id", "name", "role", "tokenHash", "createdAt", "revokedAt" FROM "staffToken" WHERE \#(condition) ORDER BY "createdAt", "id""#,
                    binds: bindings), logger: logger)
            var found: [StaffToken] = []
            for try await (id, name, role, hash, created, revoked) in rows.decode((String, String, String, String, Date, Date?).self) {
                guard let role = StaffToken.Role(rawValue: role) else { throw PostgresProblem("staff token \(id)", UnknownRole(role: role)) }
                found.append(StaffToken(id: id, name: name, role: role, tokenHash: hash, createdAt: created, revokedAt: revoked))
            }
            return found
        }
    }

    /// A role this version does not know (written by a newer Talkshop).
    struct UnknownRole: Error, CustomStringConvertible {
        var role: String
        var description: String { "unknown role '\(role)'" }
    }
}
