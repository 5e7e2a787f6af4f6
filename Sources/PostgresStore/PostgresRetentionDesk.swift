import Foundation
import Logging
import PostgresNIO
import Store

/// The retention desk on the shared database, for every node: the same rules as
/// `RetentionDesk` (a hold blocks a purge and defers an erasure; every step is audited, with
/// counts only) over the turns and recordings all nodes write (`PostgresTurnLog`), audited in
/// the shared chain (`PostgresAuditTrail`).
///
/// What "gone" means here (docs/compliance.md, "Erasure on PostgreSQL"): purged rows are
/// deleted and the tables vacuumed, so no query on any node reads them again; their sealed
/// bytes may linger in free pages, the WAL and backups until overwritten. An erasure also
/// destroys the customer's key and rewrites the key table, which makes every such copy
/// unreadable.
public struct PostgresRetentionDesk: RetentionOffice {
    let database: PostgresConnections
    public let turns: PostgresTurnLog
    public let audit: PostgresAuditTrail
    private let orders: any OrderLedger
    private let customers: any CustomerDirectory

    public var auditTrail: any AuditTrail { audit }

    public init(database: PostgresConnections, turns: PostgresTurnLog, orders: any OrderLedger, customers: any CustomerDirectory) {
        self.database = database
        self.turns = turns
        self.audit = PostgresAuditTrail(database: database)
        self.orders = orders
        self.customers = customers
    }

    // MARK: - Holds

    public func holds(activeOnly: Bool = true) async throws -> [LegalHold] {
        try await fetchHolds(#"SELECT \#(Self.holdColumns) FROM "legalHold" WHERE NOT $1 OR "releasedAt" IS NULL ORDER BY "placedAt""#, [activeOnly])
    }

    @discardableResult
    public func hold(_ scope: LegalHold.Scope, _ subjectId: String, reason: String, officer: String) async throws -> LegalHold {
        try RetentionDesk.checkRequest(reason: reason, for: "a hold", ["subject": subjectId, "officer": officer])
        try await checkExists(scope, subjectId)
        let hold = LegalHold(id: LegalHold.newId(), scope: scope, subjectId: subjectId, reason: reason, placedBy: officer, placedAt: Date())
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"""
                INSERT INTO "legalHold" ("id", "scope", "subjectId", "reason", "placedBy", "placedAt")
                VALUES (\#(hold.id), \#(scope.rawValue), \#(subjectId), \#(reason), \#(officer), \#(hold.placedAt))
                """#, logger: logger)
        }
        try await audit.append(actor: officer, action: "hold", subject: "\(scope.rawValue):\(subjectId)", reason: reason)
        return hold
    }

    /// Releases a hold, then carries out the erasure requests it was the last obstacle to.
    @discardableResult
    public func release(holdId: String, reason: String, officer: String) async throws -> (hold: LegalHold, erasures: [RetentionDesk.Report]) {
        try RetentionDesk.checkRequest(reason: reason, for: "a release", ["hold": holdId, "officer": officer])
        let released = try await fetchHolds(
            #"""
            UPDATE "legalHold" SET "releasedAt" = $2, "releasedBy" = $3 WHERE "id" = $1 AND "releasedAt" IS NULL
            RETURNING \#(Self.holdColumns)
            """#, [holdId, Date(), officer]
        ).first
        guard let released else {
            let exists = try await fetchHolds(#"SELECT \#(Self.holdColumns) FROM "legalHold" WHERE "id" = $1"#, [holdId]).isEmpty == false
            throw exists
                ? RetentionDesk.Refusal(description: "hold \(holdId) was already released")
                : RetentionDesk.Refusal(description: "no hold \(holdId)", kind: .notFound)
        }
        try await audit.append(actor: officer, action: "release", subject: "\(released.scope.rawValue):\(released.subjectId)", reason: reason)
        var erasures: [RetentionDesk.Report] = []
        for request in try await pendingErasures() where try await holdsCovering(customerId: request.customerId).isEmpty {
            erasures.append(try await carryOut(request, officer: officer))
        }
        return (released, erasures)
    }

    public func pendingErasures() async throws -> [ErasureRequest] {
        try await database.withConnection { connection, logger in
            var requests: [ErasureRequest] = []
            let rows = try await connection.query(
                #"""
                SELECT "id", "customerId", "reference", "reason", "requestedBy", "requestedAt" FROM "erasureRequest"
                WHERE "completedAt" IS NULL ORDER BY "requestedAt"
                """#, logger: logger)
            for try await (id, customerId, reference, reason, by, at) in rows.decode((String, String, String, String, String, Date).self) {
                requests.append(ErasureRequest(id: id, customerId: customerId, reference: reference, reason: reason, requestedBy: by, requestedAt: at))
            }
            return requests
        }
    }

    /// Active holds on the customer, on any of their sessions or on any of their orders.
    public func holdsCovering(customerId id: String) async throws -> [LegalHold] {
        try await fetchHolds(
            #"""
            SELECT \#(Self.holdColumns) FROM "legalHold" WHERE "releasedAt" IS NULL AND (
              ("scope" = 'customer' AND "subjectId" = $1)
              OR ("scope" = 'session' AND "subjectId" IN (
                    SELECT "sessionId" FROM "turn" WHERE "customerId" = $1
                    UNION SELECT "sessionId" FROM "recording" WHERE "customerId" = $1
                    UNION SELECT s."id" FROM "session" s JOIN "device" d ON d."id" = s."deviceId" WHERE d."customerId" = $1))
              OR ("scope" = 'order' AND "subjectId" IN (SELECT "id" FROM "order" WHERE "customerId" = $1)))
            ORDER BY "placedAt"
            """#, [id])
    }

    // MARK: - Purge and erasure

    /// Purges the selection's turns and recordings not under an active hold; see `RetentionDesk.purge`.
    public func purge(
        _ selection: RetentionDesk.Selection, reason: String, officer: String, reference: String? = nil, dryRun: Bool = false
    ) async throws -> RetentionDesk.Report {
        try RetentionDesk.checkRequest(reason: reason, for: "a purge", ["subject": selection.description, "reference": reference])
        let rows: String
        let values: RowValues
        switch selection {
        case .customer(let id):
            try await checkExists(.customer, id)
            return try await erase(customerId: id, reason: reason, reference: reference ?? reason, officer: officer, dryRun: dryRun)
        case .session(let id):
            try await checkExists(.session, id)
            if let hold = try await sessionHold(id) {
                throw RetentionDesk.Refusal(description: "session \(id) is under legal hold \(hold.id): \(hold.reason)", kind: .held)
            }
            (rows, values) = (#""sessionId" = $1"#, RowValues(id: id))
        case .dates(let from, let to):
            if let from, from >= to {
                throw RetentionDesk.Refusal(
                    description: "the date range is empty: \(RetentionDesk.Selection.format(from)) is not before \(RetentionDesk.Selection.format(to))")
            }
            (rows, values) = (#""createdAt" >= $2 AND "createdAt" < $3"#, RowValues(from: from ?? .distantPast, to: to))
        }
        var report = try await deleteUnheld(recordings: rows, turns: rows, values, dryRun: dryRun)
        guard !dryRun else { return report }
        try await audit.append(actor: officer, action: "purge", subject: selection.description, reason: reason, counts: report.counts)
        report.dryRun = false
        return report
    }

    private func erase(customerId: String, reason: String, reference: String, officer: String, dryRun: Bool) async throws -> RetentionDesk.Report {
        let holds = try await holdsCovering(customerId: customerId)
        let request = ErasureRequest.new(customerId: customerId, reference: reference, reason: reason, officer: officer)
        if holds.isEmpty && !dryRun {
            try await insert(request)
            return try await carryOut(request, officer: officer)
        }
        var report = try await deleteUnheld(recordings: #""customerId" = $1"#, turns: #""customerId" = $1"#, RowValues(id: customerId), dryRun: true)
        guard !holds.isEmpty else {
            report.keyDestroyed = try await turns.vault.hasKey(customerId)
            return report
        }
        report.blockingHolds = holds.map(\.id)
        guard !dryRun else { return report }
        try await insert(request)
        report.deferred = request
        report.dryRun = false
        try await audit.append(
            actor: officer, action: "erasure_deferred", subject: "customer:\(customerId)", reason: "\(reason) [ref \(reference)]",
            counts: ["holds": holds.count])
        return report
    }

    /// Deletes everything the customer said (turns, recordings, conversations) and their key
    /// in one transaction, rewrites the key table (`PostgresTurnLog.erase`), and marks the
    /// request done.
    private func carryOut(_ request: ErasureRequest, officer: String) async throws -> RetentionDesk.Report {
        let id = request.customerId
        let erased = try await turns.erase(customerId: id) { connection, logger in
            try await connection.query(
                #"UPDATE "session" SET "conversationId" = NULL WHERE "conversationId" IN (SELECT "id" FROM "conversation" WHERE "customerId" = \#(id))"#,
                logger: logger)
            try await connection.query(#"DELETE FROM "conversation" WHERE "customerId" = \#(id)"#, logger: logger)
            // The analytics keep the counts and lose the customer (docs/analytics.md).
            try await PostgresContactLog.anonymise(customerId: id, on: connection, logger: logger)
            try await connection.query(#"UPDATE "erasureRequest" SET "completedAt" = \#(Date()) WHERE "id" = \#(request.id)"#, logger: logger)
        }
        var report = RetentionDesk.Report()
        report.turns = erased.turns
        report.recordings = erased.recordings
        report.keyDestroyed = erased.key
        var counts = report.counts
        counts["keys_destroyed"] = erased.key ? 1 : 0
        try await audit.append(
            actor: officer, action: "erasure", subject: "customer:\(id)", reason: "\(request.reason) [ref \(request.reference)]", counts: counts)
        guard erased.keyTableRewritten else {
            throw RetentionDesk.Refusal(
                description: "customer \(id) was erased and their key deleted, but an older transaction kept the key table from being rewritten; run the erasure again when it has ended",
                kind: .incomplete)
        }
        return report
    }

    // MARK: - Deletion

    /// The values of `deleteUnheld`'s conditions, which name them by placeholder: $1 an id,
    /// $2 and $3 times, $4 names. All four are always bound (never NULL, so each has its
    /// type), so a condition is plain text that never holds a value, and conditions compose.
    struct RowValues {
        var id = ""
        var from = Date.distantPast
        var to = Date.distantFuture
        var names: [String] = []

        func query(_ sql: String) throws -> PostgresQuery {
            try .selecting(sql, [id, from, to, names])
        }
    }

    /// True for a turn or recording row an active hold covers (NULL counts as not covered).
    static let held = #"""
        COALESCE("sessionId" IN (SELECT "subjectId" FROM "legalHold" WHERE "scope" = 'session' AND "releasedAt" IS NULL)
         OR "customerId" IN (SELECT "subjectId" FROM "legalHold" WHERE "scope" = 'customer' AND "releasedAt" IS NULL)
         OR "orderId" IN (SELECT "subjectId" FROM "legalHold" WHERE "scope" = 'order' AND "releasedAt" IS NULL), FALSE)
        """#

    /// Deletes the recordings and turns the conditions select that no hold covers (the
    /// recordings of deleted turns too), then vacuums the tables.
    func deleteUnheld(recordings: String, turns: String, _ rows: RowValues, dryRun: Bool) async throws -> RetentionDesk.Report {
        let turnsGoing = "(\(turns)) AND NOT \(Self.held)"
        let recordingsGoing = "((\(recordings)) OR \"turnId\" IN (SELECT \"id\" FROM \"turn\" WHERE \(turnsGoing))) AND NOT \(Self.held)"
        let report = try await database.withTransaction { connection, logger in
            func count(_ sql: String) async throws -> Int {
                var total = 0
                for try await value in try await connection.query(try rows.query(sql), logger: logger).decode(Int64.self) { total = Int(value) }
                return total
            }
            var report = RetentionDesk.Report(dryRun: dryRun)
            report.heldTurns = try await count(#"SELECT COUNT(*) FROM "turn" WHERE (\#(turns)) AND \#(Self.held)"#)
            report.turns = try await count(#"SELECT COUNT(*) FROM "turn" WHERE \#(turnsGoing)"#)
            report.heldRecordings = try await count(#"SELECT COUNT(*) FROM "recording" WHERE (\#(recordings)) AND \#(Self.held)"#)
            report.recordings = try await count(#"SELECT COUNT(*) FROM "recording" WHERE \#(recordingsGoing)"#)
            guard !dryRun else { return report }
            try await connection.query(
                try rows.query(#"DELETE FROM "recordingData" WHERE "recordingId" IN (SELECT "id" FROM "recording" WHERE \#(recordingsGoing))"#),
                logger: logger)
            try await connection.query(try rows.query(#"DELETE FROM "recording" WHERE \#(recordingsGoing)"#), logger: logger)
            try await connection.query(try rows.query(#"DELETE FROM "turn" WHERE \#(turnsGoing)"#), logger: logger)
            return report
        }
        if !dryRun, report.turns + report.recordings > 0 {
            try await database.withConnection { connection, logger in
                try await connection.query(#"VACUUM "turn", "recording", "recordingData""#, logger: logger)
            }
        }
        return report
    }

    // MARK: - Export and checks

    public func export(customerId: String, reason: String, officer: String) async throws -> (manifest: CustomerExport, audio: [String: Data]) {
        try RetentionDesk.checkRequest(reason: reason, for: "an export", ["customer": customerId, "officer": officer])
        var placed: [(OrderRecord, [OrderEvent])] = []
        for order in try await orders.orders(customerId: customerId).sorted(by: { $0.createdAt < $1.createdAt }) {
            placed.append((order, try await orders.events(orderId: order.id)))
        }
        let recordings = try await turns.recordings(customerId: customerId)
        let manifest = try CustomerExport(
            customerId: customerId, person: try await customers.customer(customerId), orders: placed,
            turns: try await turns.turns(customerId: customerId), recordings: recordings)
        var audio: [String: Data] = [:]
        for (id, oggOpus) in try await turns.audio(customerId: customerId) { audio[id + ".opus"] = oggOpus }
        try await audit.append(actor: officer, action: "export", subject: "customer:\(customerId)", reason: reason, counts: manifest.counts)
        return (manifest, audio)
    }

    private func sessionHold(_ id: String) async throws -> LegalHold? {
        try await fetchHolds(
            #"""
            SELECT \#(Self.holdColumns) FROM "legalHold" WHERE "releasedAt" IS NULL AND (
              ("scope" = 'session' AND "subjectId" = $1)
              OR ("scope" = 'customer' AND "subjectId" IN (
                    SELECT "customerId" FROM "turn" WHERE "sessionId" = $1
                    UNION SELECT d."customerId" FROM "session" s JOIN "device" d ON d."id" = s."deviceId" WHERE s."id" = $1)))
            """#, [id]
        ).first
    }

    /// An unknown id is a mistake to report, not an empty purge or a hold on nothing.
    private func checkExists(_ scope: LegalHold.Scope, _ id: String) async throws {
        let sql =
            switch scope {
            case .customer:
                #"""
                SELECT 1 WHERE EXISTS (SELECT 1 FROM "customer" WHERE "id" = $1) OR EXISTS (SELECT 1 FROM "conversation" WHERE "customerId" = $1)
                  OR EXISTS (SELECT 1 FROM "turn" WHERE "customerId" = $1)
                """#
            case .session: #"SELECT 1 WHERE EXISTS (SELECT 1 FROM "session" WHERE "id" = $1) OR EXISTS (SELECT 1 FROM "turn" WHERE "sessionId" = $1)"#
            case .order: #"SELECT 1 FROM "order" WHERE "id" = $1"#
            }
        let exists = try await database.withConnection { connection, logger in
            try await connection.returnsRows(try .selecting(sql, [id]), logger: logger)
        }
        guard exists else { throw RetentionDesk.Refusal(description: "no \(scope.rawValue) \(id)", kind: .notFound) }
    }

    private func insert(_ request: ErasureRequest) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"""
                INSERT INTO "erasureRequest" ("id", "customerId", "reference", "reason", "requestedBy", "requestedAt")
                VALUES (\#(request.id), \#(request.customerId), \#(request.reference), \#(request.reason), \#(request.requestedBy), \#(request.requestedAt))
                """#, logger: logger)
        }
    }

    static let holdColumns = #""id", "scope", "subjectId", "reason", "placedBy", "placedAt", "releasedBy", "releasedAt""#

    private func fetchHolds(_ sql: String, _ values: [any PostgresEncodable & Sendable]) async throws -> [LegalHold] {
        try await database.withConnection { connection, logger in
            var holds: [LegalHold] = []
            let rows = try await connection.query(try .selecting(sql, values), logger: logger)
            for try await (id, scope, subject, reason, by, at, releasedBy, releasedAt) in rows.decode(
                (String, String, String, String, String, Date, String?, Date?).self)
            {
                guard let scope = LegalHold.Scope(rawValue: scope) else { throw UnknownValue(scope) }
                holds.append(LegalHold(
                    id: id, scope: scope, subjectId: subject, reason: reason, placedBy: by, placedAt: at, releasedBy: releasedBy,
                    releasedAt: releasedAt))
            }
            return holds
        }
    }
}
