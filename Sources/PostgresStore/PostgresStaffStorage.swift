import Foundation
import Logging
import PostgresNIO
import Store

/// Admin API tokens in PostgreSQL: issued on one node, honoured and revoked on all. Only the
/// SHA-256 of a token is stored.
public struct PostgresStaffStorage: StaffStorage {
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
        try await tokens(where: #""tokenHash" = $1 AND "revokedAt" IS NULL"#, SQLiteDeviceStorage.hash(token)).first
    }

    @discardableResult
    public func revoke(id: String) async throws -> Bool {
        try await database.withConnection { connection, logger in
            try await connection.returnsRows(
                #"UPDATE "staffToken" SET "revokedAt" = \#(Date()) WHERE "id" = \#(id) AND "revokedAt" IS NULL RETURNING "id""#, logger: logger)
        }
    }

    public func all() async throws -> [StaffToken] {
        try await tokens(where: "TRUE")
    }

    private func tokens(where condition: String, _ value: String? = nil) async throws -> [StaffToken] {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                .selecting(
                    #"SELECT "id", "name", "role", "tokenHash", "createdAt", "revokedAt" FROM "staffToken" WHERE \#(condition) ORDER BY "createdAt", "id""#,
                    value.map { [$0] } ?? []), logger: logger)
            var found: [StaffToken] = []
            for try await (id, name, role, hash, created, revoked) in rows.decode((String, String, String, String, Date, Date?).self) {
                guard let role = StaffToken.Role(rawValue: role) else { throw PostgresProblem("staff token \(id)", UnknownValue(role)) }
                found.append(StaffToken(id: id, name: name, role: role, tokenHash: hash, createdAt: created, revokedAt: revoked))
            }
            return found
        }
    }
}
