import Commerce
import Foundation
import GRDB

/// Retention storage in one node's SQLite file and data directory. Deletion runs with secure
/// deletion on and `compact` checkpoints and truncates the WAL, so purged data is gone from
/// the database file and the WAL; recording files are overwritten and removed; an erasure
/// destroys the customer's key file.
public struct SQLiteRetentionStorage: RetentionStorage {
    public let database: AppDatabase
    public let recorder: SQLiteTurnStorage

    public init(recorder: SQLiteTurnStorage) {
        self.database = recorder.database
        self.recorder = recorder
    }

    // MARK: - Holds

    public func holds(activeOnly: Bool) throws -> [LegalHold] {
        try database.writer.read { db in
            var request = LegalHold.order(LegalHold.Columns.placedAt)
            if activeOnly { request = request.filter(LegalHold.Columns.releasedAt == nil) }
            return try request.fetchAll(db)
        }
    }

    public func insert(_ hold: LegalHold) throws {
        try database.writer.write { db in try hold.insert(db) }
    }

    public func release(holdId: String, by officer: String, at now: Date) throws -> HoldRelease {
        try database.writer.write { db in
            guard var hold = try LegalHold.fetchOne(db, key: holdId) else { return .notFound }
            guard hold.isActive else { return .alreadyReleased }
            hold.releasedAt = now
            hold.releasedBy = officer
            try hold.update(db)
            return .released(hold)
        }
    }

    public func holdsCovering(customerId id: String) throws -> [LegalHold] {
        try database.writer.read { db in
            try LegalHold.fetchAll(db, sql: """
                SELECT * FROM legalHold WHERE releasedAt IS NULL AND (
                  (scope = 'customer' AND subjectId = :id)
                  OR (scope = 'session' AND subjectId IN (
                        SELECT sessionId FROM turn WHERE customerId = :id
                        UNION SELECT sessionId FROM recording WHERE customerId = :id
                        UNION SELECT session.id FROM session JOIN device ON device.id = session.deviceId WHERE device.customerId = :id))
                  OR (scope = 'order' AND subjectId IN (SELECT id FROM "order" WHERE customerId = :id)))
                ORDER BY placedAt
                """, arguments: ["id": id])
        }
    }

    public func holdCovering(sessionId id: String) throws -> LegalHold? {
        try database.writer.read { db in
            try LegalHold.fetchOne(db, sql: """
                SELECT * FROM legalHold WHERE releasedAt IS NULL AND (
                  (scope = 'session' AND subjectId = :id)
                  OR (scope = 'customer' AND subjectId IN (
                        SELECT customerId FROM turn WHERE sessionId = :id
                        UNION SELECT device.customerId FROM session JOIN device ON device.id = session.deviceId WHERE session.id = :id)))
                """, arguments: ["id": id])
        }
    }

    public func exists(_ scope: LegalHold.Scope, _ id: String) throws -> Bool {
        try database.writer.read { db -> Bool in
            switch scope {
            case .customer:
                try Bool.fetchOne(db, sql: """
                    SELECT EXISTS (SELECT 1 FROM customer WHERE id = :id) OR EXISTS (SELECT 1 FROM conversation WHERE customerId = :id)
                      OR EXISTS (SELECT 1 FROM turn WHERE customerId = :id)
                    """, arguments: ["id": id]) ?? false
            case .session:
                try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM session WHERE id = :id) OR EXISTS (SELECT 1 FROM turn WHERE sessionId = :id)",
                                  arguments: ["id": id]) ?? false
            case .order:
                try Bool.fetchOne(db, sql: #"SELECT EXISTS (SELECT 1 FROM "order" WHERE id = ?)"#, arguments: [id]) ?? false
            }
        }
    }

    // MARK: - Erasure requests

    public func pendingErasures() throws -> [ErasureRequest] {
        try database.writer.read { db in
            try ErasureRequest.filter(ErasureRequest.Columns.completedAt == nil).order(ErasureRequest.Columns.requestedAt).fetchAll(db)
        }
    }

    public func insert(_ request: ErasureRequest) throws {
        try database.writer.write { db in try request.insert(db) }
    }

    public func carryOut(_ request: ErasureRequest, at now: Date) throws -> Erasure {
        let id = request.customerId
        let deleted = try delete(.customer(id), dryRun: false) { db in
            try db.execute(literal: "UPDATE session SET conversationId = NULL WHERE conversationId IN (SELECT id FROM conversation WHERE customerId = \(id))")
            try db.execute(literal: "DELETE FROM conversation WHERE customerId = \(id)")
            // The analytics keep the counts and lose the customer (docs/analytics.md).
            try SQLiteContactStorage.anonymise(customerId: id, in: db)
            try db.execute(literal: "UPDATE erasureRequest SET completedAt = \(now) WHERE id = \(request.id)")
        }
        return Erasure(turns: deleted.turns, recordings: deleted.recordings, keyDestroyed: try recorder.vault.destroyKey(id))
    }

    public func hasKey(customerId: String) -> Bool { recorder.vault.hasKey(customerId) }

    // MARK: - Deletion

    public func deleteUnheld(_ rows: RetainedRows, dryRun: Bool) throws -> Deletion {
        try delete(rows, dryRun: dryRun)
    }

    /// Deletes the recordings and turns `rows` selects that no hold covers (recordings of
    /// deleted turns too), then their files. `alsoInTransaction` runs in the same transaction.
    private func delete(_ rows: RetainedRows, dryRun: Bool, alsoInTransaction: (Database) throws -> Void = { _ in }) throws -> Deletion {
        let (turnFilter, recordingFilter) = Self.filters(rows)
        let held = LegalHold.coversRow
        let turnsGoing: SQL = "SELECT id FROM turn WHERE (\(turnFilter)) AND NOT \(held)"
        let recordingsGoing: SQL = "((\(recordingFilter)) OR turnId IN (\(turnsGoing))) AND NOT \(held)"
        let (deletion, files) = try database.writer.write { db -> (Deletion, [String]) in
            var deletion = Deletion()
            deletion.heldTurns = try count(db, "SELECT COUNT(*) FROM turn WHERE (\(turnFilter)) AND \(held)")
            deletion.turns = try count(db, "SELECT COUNT(*) FROM turn WHERE (\(turnFilter)) AND NOT \(held)")
            deletion.heldRecordings = try count(db, "SELECT COUNT(*) FROM recording WHERE (\(recordingFilter)) AND \(held)")
            let files = try SQLRequest<String>(literal: "SELECT id FROM recording WHERE \(recordingsGoing)").fetchAll(db)
            deletion.recordings = files.count
            guard !dryRun else { return (deletion, []) }
            try db.execute(literal: "DELETE FROM recording WHERE \(recordingsGoing)")
            try db.execute(literal: "DELETE FROM turn WHERE (\(turnFilter)) AND NOT \(held)")
            try alsoInTransaction(db)
            return (deletion, files)
        }
        try recorder.destroyFiles(files)
        return deletion
    }

    /// The conditions on turn and recording rows that select `rows`.
    private static func filters(_ rows: RetainedRows) -> (turns: SQL, recordings: SQL) {
        switch rows {
        case .session(let id): return ("sessionId = \(id)", "sessionId = \(id)")
        case .customer(let id): return ("customerId = \(id)", "customerId = \(id)")
        case .recorded(let from, let to):
            let recorded: SQL = from.map { "createdAt >= \($0) AND createdAt < \(to)" } ?? "createdAt < \(to)"
            return (recorded, recorded)
        case .expired(let rows, let transcriptsBefore, let recordingsBefore):
            let ofClass = isOfClass("deviceClass", rows)
            return ("\(ofClass) AND createdAt < \(transcriptsBefore)", "\(ofClass) AND createdAt < \(recordingsBefore)")
        }
    }

    /// A condition on a row's device class (`column`).
    private static func isOfClass(_ column: SQL, _ rows: DeviceClassRows) -> SQL {
        switch rows {
        case .named(let name): "\(column) = \(name)"
        case .others(let named) where named.isEmpty: "1"
        case .others(let named): "(\(column) IS NULL OR \(column) NOT IN \(named))"
        }
    }

    public func deleteEndedSessions(_ rows: DeviceClassRows, endedBefore before: Date, dryRun: Bool) throws -> Int {
        let sessionClass: SQL = "(SELECT deviceClass FROM device WHERE device.id = session.deviceId)"
        return try removeRows(from: "session", where: """
            endedAt IS NOT NULL AND endedAt < \(before) AND \(Self.isOfClass(sessionClass, rows))
            AND id NOT IN (SELECT subjectId FROM legalHold WHERE scope = 'session' AND releasedAt IS NULL)
            AND deviceId NOT IN (SELECT device.id FROM device JOIN legalHold ON legalHold.subjectId = device.customerId
                                 WHERE legalHold.scope = 'customer' AND legalHold.releasedAt IS NULL)
            AND NOT EXISTS (SELECT 1 FROM turn WHERE turn.sessionId = session.id)
            AND NOT EXISTS (SELECT 1 FROM recording WHERE recording.sessionId = session.id)
            """, dryRun: dryRun)
    }

    public func deleteIdleConversations(updatedBefore before: Date, dryRun: Bool) throws -> Int {
        try removeRows(from: "conversation", where: """
            updatedAt < \(before)
            AND NOT EXISTS (SELECT 1 FROM turn WHERE turn.conversationId = conversation.id)
            AND NOT EXISTS (SELECT 1 FROM session WHERE session.conversationId = conversation.id)
            AND customerId NOT IN (SELECT subjectId FROM legalHold WHERE scope = 'customer' AND releasedAt IS NULL)
            """, dryRun: dryRun)
    }

    /// Deletes (or, in a dry run, counts) the rows of `table` the condition selects.
    private func removeRows(from table: String, where condition: SQL, dryRun: Bool) throws -> Int {
        try database.writer.write { db in
            let count = try count(db, "SELECT COUNT(*) FROM \(sql: table) WHERE \(condition)")
            if !dryRun { try db.execute(literal: "DELETE FROM \(sql: table) WHERE \(condition)") }
            return count
        }
    }

    private func count(_ db: Database, _ query: SQL) throws -> Int {
        try SQLRequest<Int>(literal: query).fetchOne(db) ?? 0
    }

    /// Copies the WAL into the database file and truncates it to zero bytes; throws if a
    /// reader kept it from completing (the purged words could otherwise linger in the WAL).
    public func compact() throws {
        do {
            try database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw RetentionOffice.Refusal(
                description: "the purge was committed but the WAL could not be truncated (\(error)); run it again when the server is idle",
                kind: .incomplete)
        }
    }

    // MARK: - Reads

    public func lastPolicySubject() throws -> String? {
        try database.writer.read { db in
            try AuditEntry.filter(AuditEntry.Columns.action == "policy_change").order(AuditEntry.Columns.sequence.desc).fetchOne(db)?.subject
        }
    }

    public func holdings(customerId: String) throws -> CustomerHoldings {
        let (person, orders) = try database.writer.read { db -> (Customer?, [(OrderRecord, [OrderEvent])]) in
            let orders = try OrderRecord.filter(OrderRecord.Columns.customerId == customerId).order(OrderRecord.Columns.createdAt).fetchAll(db)
            return (try Customer.fetchOne(db, key: customerId), try orders.map { order in
                (order, try OrderEvent.filter(OrderEvent.Columns.orderId == order.id).order(OrderEvent.Columns.id).fetchAll(db))
            })
        }
        let recordings = try recorder.recordings(customerId: customerId)
        var audio: [String: Data] = [:]
        for recording in recordings { audio[recording.id] = try recorder.audio(of: recording) }
        return CustomerHoldings(person: person, orders: orders, turns: try recorder.turns(customerId: customerId), recordings: recordings, audio: audio)
    }
}

extension RetentionOffice {
    /// The office over one node's database and recorder, audited in its own trail.
    public init(sqlite recorder: SQLiteTurnStorage, audit: SQLiteAuditStorage) {
        self.init(storage: SQLiteRetentionStorage(recorder: recorder), auditTrail: audit)
    }

    /// The office over a data directory: its database, key vault, recordings and audit trail.
    public static func open(database: AppDatabase, dataDirectory: URL) throws -> RetentionOffice {
        RetentionOffice(
            sqlite: try SQLiteTurnStorage.open(database: database, dataDirectory: dataDirectory),
            audit: SQLiteAuditStorage(database: database, headFile: SQLiteAuditStorage.headFile(in: dataDirectory)))
    }
}
