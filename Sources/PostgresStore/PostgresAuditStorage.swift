import Foundation
import Logging
import PostgresNIO
import Store

/// The audit trail in PostgreSQL, for several nodes on one database: the same chain as
/// SQLite's (`AuditChain`). An append reads the newest entry and writes the next inside one
/// transaction that holds an advisory lock, so appends from any number of nodes are taken one
/// at a time and the chain never forks. There is no head file here: a head recorded elsewhere
/// can still be passed to `verify`.
public struct PostgresAuditStorage: AuditStorage {
    /// The advisory lock appends take (any fixed number no other lock in the database uses).
    static let appendLock: Int64 = 0x6175_6469_7400  // "audit"

    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    @discardableResult
    public func append(
        actor: String, action: String, subject: String, reason: String, counts: [String: Int] = [:], at now: Date = Date()
    ) async throws -> AuditEntry {
        try await database.withTransaction { connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.appendLock))", logger: logger)
            let last = try await Self.entries(on: connection, logger: logger, newestOnly: true).first
            let entry = try AuditChain.entry(after: last, actor: actor, action: action, subject: subject, reason: reason, counts: counts, at: now)
            try await connection.query(
                """
                INSERT INTO "auditEntry" ("sequence", "at", "actor", "action", "subject", "reason", "countsJSON", "previousHash", "hash")
                VALUES (\(entry.sequence), \(entry.at), \(entry.actor), \(entry.action), \(entry.subject), \(entry.reason), \(entry.countsJSON), \(entry.previousHash), \(entry.hash))
                """, logger: logger)
            return entry
        }
    }

    public func entries() async throws -> [AuditEntry] {
        try await database.withConnection { connection, logger in try await Self.entries(on: connection, logger: logger, newestOnly: false) }
    }

    public func verify(expectedHead: String? = nil) async throws -> AuditChain.Verdict {
        AuditChain.verify(try await entries(), expectedHead: expectedHead)
    }

    private static func entries(on connection: PostgresConnection, logger: Logger, newestOnly: Bool) async throws -> [AuditEntry] {
        let order = newestOnly ? "DESC LIMIT 1" : "ASC"
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT "sequence", "at", "actor", "action", "subject", "reason", "countsJSON", "previousHash", "hash"
                FROM "auditEntry" ORDER BY "sequence" \(order)
                """), logger: logger)
        var entries: [AuditEntry] = []
        for try await (sequence, at, actor, action, subject, reason, countsJSON, previousHash, hash) in rows.decode(
            (Int64, Date, String, String, String, String, String, String, String).self)
        {
            entries.append(AuditEntry(
                sequence: sequence, at: at, actor: actor, action: action, subject: subject, reason: reason, countsJSON: countsJSON,
                previousHash: previousHash, hash: hash))
        }
        return entries
    }
}
