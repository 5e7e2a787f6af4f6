import Foundation
import Logging
import PostgresNIO
import Store

/// The session and rate limits counted in PostgreSQL, so they hold for a device whichever
/// nodes its sessions reach.
///
/// A session slot is a row carrying its node's key; it counts while that node is alive
/// (`PostgresNode`), so a killed node's sessions stop counting at once, with no timeout to wait
/// out. Admissions are taken one at a time (an advisory transaction lock). Utterances are
/// counted per device and minute. The rules — which limit refuses, what fits the last minute —
/// are `SessionLimitValues`'s, as in one node's `MemorySessionLimits`.
public struct PostgresSessionLimits: SessionLimits {
    private let database: PostgresConnections
    private let node: PostgresNode
    private let limits: SessionLimitValues
    private let logger: Logger

    public init(database: PostgresConnections, node: PostgresNode, limits: SessionLimitValues, logger: Logger) {
        self.database = database
        self.node = node
        self.limits = limits
        self.logger = logger
    }

    public func admit(deviceId: String) async throws -> SessionSlot {
        try await node.start()
        let slot = SessionSlot(deviceId: deviceId)
        try await database.withTransaction { [limits, key = node.key] connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresNode.leaseLockSpace), hashtext('session slots'))", logger: logger)
            let (total, forDevice) = try await Self.counts(on: connection, logger, deviceId: deviceId)
            if let refusal = limits.refusal(openInTotal: total, openForDevice: forDevice) { throw refusal }
            try await connection.query(
                #"INSERT INTO "sessionSlot" ("id", "deviceId", "nodeKey", "openedAt") VALUES (\#(slot.id), \#(deviceId), \#(Int(key)), \#(Date()))"#,
                logger: logger)
        }
        return slot
    }

    public func canAdmit(deviceId: String) async throws -> Bool {
        let (total, forDevice) = try await database.withConnection { connection, logger in
            try await Self.counts(on: connection, logger, deviceId: deviceId)
        }
        return limits.refusal(openInTotal: total, openForDevice: forDevice) == nil
    }

    public func release(_ slot: SessionSlot) async {
        // In a task of its own: a session ended by cancellation (shutdown, a closed socket) must
        // still give its slot back, and a cancelled task's queries would not run.
        await Task { [database, logger] in
            do {
                try await database.withConnection { connection, logger in
                    try await connection.query(#"DELETE FROM "sessionSlot" WHERE "id" = \#(slot.id)"#, logger: logger)
                }
            } catch {
                // The slot stays counted until this node stops; say so rather than lose it quietly.
                logger.error("releasing a session slot failed", metadata: ["device": "\(slot.deviceId)", "error": "\(error)"])
            }
        }.value
    }

    public func allowUtterance(deviceId: String, at now: Date = Date()) async throws -> Bool {
        let minute = SessionLimitValues.minute(of: now)
        return try await database.withTransaction { [limits] connection, logger in
            try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresNode.leaseLockSpace), hashtext(\("utterances:" + deviceId)))", logger: logger)
            var current = 0
            var previous = 0
            for try await (bucket, count) in try await connection.query(
                #"SELECT "minute", "count" FROM "utteranceCount" WHERE "deviceId" = \#(deviceId) AND "minute" IN (\#(minute), \#(minute - 1))"#,
                logger: logger
            ).decode((Int, Int).self) {
                if bucket == minute { current = count } else { previous = count }
            }
            guard limits.allowsUtterance(thisMinute: current, previousMinute: previous, at: now) else { return false }
            try await connection.query(
                #"""
                INSERT INTO "utteranceCount" ("deviceId", "minute", "count") VALUES (\#(deviceId), \#(minute), 1)
                ON CONFLICT ("deviceId", "minute") DO UPDATE SET "count" = "utteranceCount"."count" + 1
                """#, logger: logger)
            return true
        }
    }

    /// Deletes the slots of nodes that are gone and utterance counts older than ten minutes.
    public func collectGarbage(at now: Date = Date()) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                PostgresQuery(unsafeSQL: #"DELETE FROM "sessionSlot" WHERE NOT \#(PostgresNode.isAlive(#""nodeKey""#))"#), logger: logger)
            try await connection.query(
                #"DELETE FROM "utteranceCount" WHERE "minute" < \#(Int(now.timeIntervalSince1970 / 60) - 10)"#, logger: logger)
        }
    }

    /// Live slots in total and of the device.
    static func counts(on connection: PostgresConnection, _ logger: Logger, deviceId: String) async throws -> (total: Int, forDevice: Int) {
        let rows = try await connection.query(
            #"""
            SELECT COUNT(*)::BIGINT, (COUNT(*) FILTER (WHERE "deviceId" = \#(deviceId)))::BIGINT FROM "sessionSlot"
            WHERE \#(unescaped: PostgresNode.isAlive(#""nodeKey""#))
            """#, logger: logger)
        var counts = (total: 0, forDevice: 0)
        for try await (total, forDevice) in rows.decode((Int, Int).self) { counts = (total, forDevice) }
        return counts
    }
}
