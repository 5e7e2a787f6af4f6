import Foundation
import Logging
import PostgresNIO
import Store

/// Web session tokens in PostgreSQL (`webGrant`, by SHA-256): a token one node gave opens a
/// session on any node, and ending it on one ends it for all.
public struct PostgresWebGrants: WebGrants {
    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    public func add(tokenHash: String, deviceId: String, expiresAt: Date, now: Date, maxLive: Int) async throws -> Bool {
        try await database.withTransaction { connection, logger in
            // One grant at a time, so the count of live tokens holds against concurrent nodes.
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresNode.leaseLockSpace), hashtext('web grants'))", logger: logger)
            try await connection.query(#"DELETE FROM "webGrant" WHERE "expiresAt" <= \#(now)"#, logger: logger)
            var live = 0
            for try await count in try await connection.query(#"SELECT COUNT(*)::BIGINT FROM "webGrant" WHERE "revokedAt" IS NULL"#, logger: logger).decode(Int.self) {
                live = count
            }
            guard live < maxLive else { return false }
            try await connection.query(
                #"INSERT INTO "webGrant" ("tokenHash", "deviceId", "expiresAt") VALUES (\#(tokenHash), \#(deviceId), \#(expiresAt))"#, logger: logger)
            return true
        }
    }

    public func deviceId(forTokenHash tokenHash: String, now: Date) async throws -> String? {
        try await database.withConnection { connection, logger in
            var found: String?
            for try await deviceId in try await connection.query(
                #"""
                SELECT "deviceId" FROM "webGrant" WHERE "tokenHash" = \#(tokenHash) AND "expiresAt" > \#(now) AND "revokedAt" IS NULL
                """#, logger: logger
            ).decode(String.self) { found = deviceId }
            return found
        }
    }

    /// Marks the token ended; the row stays until it expires, so every node's revocation watch
    /// sees it (`revoked(since:)`).
    public func remove(tokenHash: String) async throws -> Bool {
        try await database.withConnection { connection, logger in
            try await connection.returnsRows(
                #"UPDATE "webGrant" SET "revokedAt" = \#(Date()) WHERE "tokenHash" = \#(tokenHash) AND "revokedAt" IS NULL RETURNING 1"#,
                logger: logger)
        }
    }

    public func revoked(since date: Date) async throws -> [String] {
        try await database.withConnection { connection, logger in
            var hashes: [String] = []
            for try await hash in try await connection.query(
                #"SELECT "tokenHash" FROM "webGrant" WHERE "revokedAt" >= \#(date)"#, logger: logger
            ).decode(String.self) { hashes.append(hash) }
            return hashes
        }
    }
}
