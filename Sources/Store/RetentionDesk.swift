import Foundation
import GRDB

/// What a compliance officer does to stored transcripts and recordings: place and release
/// legal holds, purge by session or date, erase a customer — a dry run first if wanted.
/// Deletion runs with secure deletion on, then the WAL is checkpointed and truncated, so the
/// data is gone from the database file and the WAL (the purge fails loudly if that cannot
/// complete); recording files are overwritten and removed; an erasure also destroys the
/// customer's key. Every step is written to the audit trail (counts, never content).
public struct RetentionDesk: Sendable {
    public let database: AppDatabase
    public let audit: AuditLog
    public let recorder: TurnRecorder

    public init(recorder: TurnRecorder, audit: AuditLog) {
        self.database = recorder.database
        self.recorder = recorder
        self.audit = audit
    }

    /// The desk over a data directory: its database, key vault, recordings and audit trail.
    public static func open(database: AppDatabase, dataDirectory: URL) throws -> RetentionDesk {
        RetentionDesk(
            recorder: try TurnRecorder.open(database: database, dataDirectory: dataDirectory),
            audit: AuditLog(database: database, headFile: AuditLog.headFile(in: dataDirectory)))
    }

    public enum Selection: Sendable, Equatable, CustomStringConvertible {
        /// An erasure request: everything the customer said, and their key.
        case customer(String)
        case session(String)
        /// Recorded from `from` (inclusive; nil: the beginning) until `to` (exclusive).
        case dates(from: Date?, to: Date)

        public var description: String {
            switch self {
            case .customer(let id): "customer:\(id)"
            case .session(let id): "session:\(id)"
            case .dates(let from, let to): "dates:\(from.map(Self.format) ?? "")..\(Self.format(to))"
            }
        }

        package static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    }

    public struct Report: Sendable, Equatable {
        /// Transcribed turns and recordings purged (or, in a dry run, that would be).
        public var turns = 0
        public var recordings = 0
        /// Left alone because a hold covers them.
        public var heldTurns = 0
        public var heldRecordings = 0
        /// An erasure: whether the customer's key was destroyed.
        public var keyDestroyed = false
        /// An erasure blocked by holds: the recorded request (nil in a dry run) and the holds.
        public var deferred: ErasureRequest?
        public var blockingHolds: [String] = []
        public var dryRun = false

        public init(dryRun: Bool = false) { self.dryRun = dryRun }
    }

    /// Why an officer's request was not (fully) carried out; nothing changed unless `kind`
    /// is `.incomplete`.
    /// An officer's request: a reason given, and every text of it (`others`: field name and
    /// value, such as the subject's id or a reference) storable exactly as it is hashed into
    /// the audit trail. `what`: "a hold", "a purge", … for the refusal's words.
    public static func checkRequest(reason: String, for what: String, _ others: KeyValuePairs<String, String?> = [:]) throws(Refusal) {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw Refusal(description: "\(what) needs a reason") }
        for (field, value) in [("reason", reason)] + others.map({ ($0.key, $0.value) }) {
            guard let value, let scalar = StoredText.refusedScalar(in: value) else { continue }
            throw Refusal(description: StoredText.Invalid(field: field, scalar: scalar).description)
        }
    }

    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The request is malformed or lacks a reason.
            case invalid
            /// No such customer, session, order or hold.
            case notFound
            /// A legal hold covers it.
            case held
            /// Committed, but the WAL could not be truncated: run again.
            case incomplete
        }

        public var description: String
        public var kind: Kind = .invalid

        public init(description: String, kind: Kind = .invalid) {
            self.description = description
            self.kind = kind
        }
    }

    /// "2026-01-31" (midnight UTC) or a full ISO 8601 time such as "2026-01-31T12:00:00Z".
    public static func date(_ text: String) throws -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw Refusal(description: "'\(text)' is not a date like 2026-01-31 or 2026-01-31T12:00:00Z")
    }

    /// Purges the selection's turns and recordings not under an active hold. A purge of a
    /// held session is refused and changes nothing; an erasure of a held customer is
    /// recorded and deferred until release.
    public func purge(
        _ selection: Selection, reason: String, officer: String, reference: String? = nil, dryRun: Bool = false
    ) throws -> Report {
        try RetentionDesk.checkRequest(reason: reason, for: "a purge", ["subject": selection.description, "reference": reference])
        try checkExists(selection)
        let filter: SQL
        switch selection {
        case .customer(let id):
            return try erase(customerId: id, reason: reason, reference: reference ?? reason, officer: officer, dryRun: dryRun)
        case .session(let id):
            if let hold = try sessionHold(id) { throw Refusal(description: "session \(id) is under legal hold \(hold.id): \(hold.reason)", kind: .held) }
            filter = "sessionId = \(id)"
        case .dates(let from, let to):
            if let from, from >= to { throw Refusal(description: "the date range is empty: \(Selection.format(from)) is not before \(Selection.format(to))") }
            filter = from.map { "createdAt >= \($0) AND createdAt < \(to)" } ?? "createdAt < \(to)"
        }
        var report = try deleteUnheld(recordings: filter, turns: filter, dryRun: dryRun)
        guard !dryRun else { return report }
        try audit.append(actor: officer, action: "purge", subject: selection.description, reason: reason, counts: report.counts)
        try truncateWAL()
        report.dryRun = false
        return report
    }

    @discardableResult
    public func hold(_ scope: LegalHold.Scope, _ subjectId: String, reason: String, officer: String) throws -> LegalHold {
        try RetentionDesk.checkRequest(reason: reason, for: "a hold", ["subject": subjectId, "officer": officer])
        try checkExists(scope, subjectId)
        let hold = LegalHold(id: LegalHold.newId(), scope: scope, subjectId: subjectId, reason: reason, placedBy: officer, placedAt: Date())
        try database.writer.write { db in try hold.insert(db) }
        try audit.append(actor: officer, action: "hold", subject: "\(scope.rawValue):\(subjectId)", reason: reason)
        return hold
    }

    /// Releases a hold, then carries out erasure requests it was the last obstacle to.
    /// Nothing's expiry changed while held: what is past its period goes at the next sweep.
    @discardableResult
    public func release(holdId: String, reason: String, officer: String) throws -> (hold: LegalHold, erasures: [Report]) {
        try RetentionDesk.checkRequest(reason: reason, for: "a release", ["hold": holdId, "officer": officer])
        let released = try database.writer.write { db -> LegalHold in
            guard var hold = try LegalHold.fetchOne(db, key: holdId) else { throw Refusal(description: "no hold \(holdId)", kind: .notFound) }
            guard hold.isActive else { throw Refusal(description: "hold \(holdId) was already released") }
            hold.releasedAt = Date()
            hold.releasedBy = officer
            try hold.update(db)
            return hold
        }
        try audit.append(actor: officer, action: "release", subject: "\(released.scope.rawValue):\(released.subjectId)", reason: reason)
        var erasures: [Report] = []
        for request in try pendingErasures() where try holdsCovering(customerId: request.customerId).isEmpty {
            erasures.append(try carryOut(request, officer: officer))
        }
        return (released, erasures)
    }

    public func holds(activeOnly: Bool = true) throws -> [LegalHold] {
        try database.writer.read { db in
            var request = LegalHold.order(LegalHold.Columns.placedAt)
            if activeOnly { request = request.filter(LegalHold.Columns.releasedAt == nil) }
            return try request.fetchAll(db)
        }
    }

    public func pendingErasures() throws -> [ErasureRequest] {
        try database.writer.read { db in
            try ErasureRequest.filter(ErasureRequest.Columns.completedAt == nil).order(ErasureRequest.Columns.requestedAt).fetchAll(db)
        }
    }

    /// Active holds on the customer, on any of their sessions or on any of their orders.
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

    // MARK: - Erasure

    private func erase(customerId: String, reason: String, reference: String, officer: String, dryRun: Bool) throws -> Report {
        let holds = try holdsCovering(customerId: customerId)
        let request = ErasureRequest.new(customerId: customerId, reference: reference, reason: reason, officer: officer)
        guard holds.isEmpty else {
            var report = try deleteUnheld(recordings: "customerId = \(customerId)", turns: "customerId = \(customerId)", dryRun: true)
            report.blockingHolds = holds.map(\.id)
            report.dryRun = dryRun
            guard !dryRun else { return report }
            try database.writer.write { db in try request.insert(db) }
            report.deferred = request
            try audit.append(
                actor: officer, action: "erasure_deferred", subject: "customer:\(customerId)", reason: "\(reason) [ref \(reference)]",
                counts: ["holds": holds.count])
            return report
        }
        guard !dryRun else {
            var report = try deleteUnheld(recordings: "customerId = \(customerId)", turns: "customerId = \(customerId)", dryRun: true)
            report.keyDestroyed = recorder.vault.hasKey(customerId)
            return report
        }
        try database.writer.write { db in try request.insert(db) }
        return try carryOut(request, officer: officer)
    }

    /// Deletes everything the customer said (turns, recordings, conversations), destroys
    /// their key, and marks the request done.
    private func carryOut(_ request: ErasureRequest, officer: String) throws -> Report {
        let id = request.customerId
        var report = try deleteUnheld(recordings: "customerId = \(id)", turns: "customerId = \(id)", dryRun: false) { db in
            try db.execute(literal: "UPDATE session SET conversationId = NULL WHERE conversationId IN (SELECT id FROM conversation WHERE customerId = \(id))")
            try db.execute(literal: "DELETE FROM conversation WHERE customerId = \(id)")
            // The analytics keep the counts and lose the customer (docs/analytics.md).
            try ContactBook.anonymise(customerId: id, in: db)
            try db.execute(literal: "UPDATE erasureRequest SET completedAt = \(Date()) WHERE id = \(request.id)")
        }
        report.keyDestroyed = try recorder.vault.destroyKey(id)
        var counts = report.counts
        counts["keys_destroyed"] = report.keyDestroyed ? 1 : 0
        try audit.append(
            actor: officer, action: "erasure", subject: "customer:\(id)", reason: "\(request.reason) [ref \(request.reference)]", counts: counts)
        try truncateWAL()
        return report
    }

    // MARK: - Deletion

    /// Deletes recordings and turns matching the filters that no hold covers (recordings of
    /// deleted turns too), then their files. `alsoInTransaction` runs in the same transaction.
    func deleteUnheld(
        recordings recordingFilter: SQL, turns turnFilter: SQL, dryRun: Bool,
        alsoInTransaction: (Database) throws -> Void = { _ in }
    ) throws -> Report {
        let held = LegalHold.coversRow
        let turnsGoing: SQL = "SELECT id FROM turn WHERE (\(turnFilter)) AND NOT \(held)"
        let recordingsGoing: SQL = "((\(recordingFilter)) OR turnId IN (\(turnsGoing))) AND NOT \(held)"
        let (report, files) = try database.writer.write { db -> (Report, [String]) in
            var report = Report(dryRun: dryRun)
            report.heldTurns = try count(db, "SELECT COUNT(*) FROM turn WHERE (\(turnFilter)) AND \(held)")
            report.turns = try count(db, "SELECT COUNT(*) FROM turn WHERE (\(turnFilter)) AND NOT \(held)")
            report.heldRecordings = try count(db, "SELECT COUNT(*) FROM recording WHERE (\(recordingFilter)) AND \(held)")
            let files = try SQLRequest<String>(literal: "SELECT id FROM recording WHERE \(recordingsGoing)").fetchAll(db)
            report.recordings = files.count
            guard !dryRun else { return (report, []) }
            try db.execute(literal: "DELETE FROM recording WHERE \(recordingsGoing)")
            try db.execute(literal: "DELETE FROM turn WHERE (\(turnFilter)) AND NOT \(held)")
            try alsoInTransaction(db)
            return (report, files)
        }
        try recorder.destroyFiles(files)
        return report
    }

    private func count(_ db: Database, _ query: SQL) throws -> Int {
        try SQLRequest<Int>(literal: query).fetchOne(db) ?? 0
    }

    // MARK: - Checks

    private func sessionHold(_ id: String) throws -> LegalHold? {
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

    private func checkExists(_ selection: Selection) throws {
        switch selection {
        case .customer(let id): try checkExists(.customer, id)
        case .session(let id): try checkExists(.session, id)
        case .dates: break
        }
    }

    /// An unknown id is a mistake to report, not an empty purge or a hold on nothing.
    private func checkExists(_ scope: LegalHold.Scope, _ id: String) throws {
        let exists = try database.writer.read { db -> Bool in
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
        guard exists else { throw Refusal(description: "no \(scope.rawValue) \(id)", kind: .notFound) }
    }

    /// Copies the WAL into the database file and truncates it to zero bytes; throws if a
    /// reader kept it from completing (the purged words could otherwise linger in the WAL).
    func truncateWAL() throws {
        do {
            try database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw Refusal(description: "the purge was committed but the WAL could not be truncated (\(error)); run it again when the server is idle", kind: .incomplete)
        }
    }
}

extension RetentionDesk.Report {
    /// For the audit trail.
    package var counts: [String: Int] {
        ["turns": turns, "recordings": recordings, "held_turns": heldTurns, "held_recordings": heldRecordings]
    }
}
