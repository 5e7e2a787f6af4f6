import Commerce
import Foundation
import Logging
import PostgresNIO
import Store

/// Retention storage on the shared database, for every node: the turns and recordings all
/// nodes write (`PostgresTurnStorage`), the holds and erasure requests, the orders and customers
/// an export reads. The rules are `RetentionOffice`'s.
///
/// What "gone" means here (docs/compliance.md, "Erasure on PostgreSQL"): purged rows are
/// deleted and the tables vacuumed (`compact`), so no query on any node reads them again;
/// their sealed bytes may linger in free pages, the WAL and backups until overwritten. An
/// erasure also destroys the customer's key and rewrites the key table, which makes every
/// such copy unreadable.
public struct PostgresRetentionStorage: RetentionStorage {
    let database: PostgresConnections
    public let turns: PostgresTurnStorage
    private let orders: any OrderStorage
    private let customers: any CustomerStorage

    public init(database: PostgresConnections, turns: PostgresTurnStorage, orders: any OrderStorage, customers: any CustomerStorage) {
        self.database = database
        self.turns = turns
        self.orders = orders
        self.customers = customers
    }

    // MARK: - Holds

    public func holds(activeOnly: Bool) async throws -> [LegalHold] {
        try await fetchHolds(#"SELECT \#(Self.holdColumns) FROM "legalHold" WHERE NOT $1 OR "releasedAt" IS NULL ORDER BY "placedAt""#, [activeOnly])
    }

    public func insert(_ hold: LegalHold) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"""
                INSERT INTO "legalHold" ("id", "scope", "subjectId", "reason", "placedBy", "placedAt")
                VALUES (\#(hold.id), \#(hold.scope.rawValue), \#(hold.subjectId), \#(hold.reason), \#(hold.placedBy), \#(hold.placedAt))
                """#, logger: logger)
        }
    }

    public func release(holdId: String, by officer: String, at now: Date) async throws -> HoldRelease {
        let released = try await fetchHolds(
            #"""
            UPDATE "legalHold" SET "releasedAt" = $2, "releasedBy" = $3 WHERE "id" = $1 AND "releasedAt" IS NULL
            RETURNING \#(Self.holdColumns)
            """#, [holdId, now, officer]
        ).first
        if let released { return .released(released) }
        let exists = try await fetchHolds(#"SELECT \#(Self.holdColumns) FROM "legalHold" WHERE "id" = $1"#, [holdId]).isEmpty == false
        return exists ? .alreadyReleased : .notFound
    }

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

    public func holdCovering(sessionId id: String) async throws -> LegalHold? {
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

    public func exists(_ scope: LegalHold.Scope, _ id: String) async throws -> Bool {
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
        return try await database.withConnection { connection, logger in
            try await connection.returnsRows(try .selecting(sql, [id]), logger: logger)
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

    // MARK: - Erasure requests

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

    public func insert(_ request: ErasureRequest) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"""
                INSERT INTO "erasureRequest" ("id", "customerId", "reference", "reason", "requestedBy", "requestedAt")
                VALUES (\#(request.id), \#(request.customerId), \#(request.reference), \#(request.reason), \#(request.requestedBy), \#(request.requestedAt))
                """#, logger: logger)
        }
    }

    /// The customer's turns, recordings, key and conversations in one transaction, then the
    /// key table rewritten (`PostgresTurnStorage.erase`).
    public func carryOut(_ request: ErasureRequest, at now: Date) async throws -> Erasure {
        let id = request.customerId
        let erased = try await turns.erase(customerId: id) { connection, logger in
            try await connection.query(
                #"UPDATE "session" SET "conversationId" = NULL WHERE "conversationId" IN (SELECT "id" FROM "conversation" WHERE "customerId" = \#(id))"#,
                logger: logger)
            try await connection.query(#"DELETE FROM "conversation" WHERE "customerId" = \#(id)"#, logger: logger)
            // The analytics keep the counts and lose the customer (docs/analytics.md).
            try await PostgresContactStorage.anonymise(customerId: id, on: connection, logger: logger)
            try await connection.query(#"UPDATE "erasureRequest" SET "completedAt" = \#(now) WHERE "id" = \#(request.id)"#, logger: logger)
        }
        return Erasure(
            turns: erased.turns, recordings: erased.recordings, keyDestroyed: erased.key,
            unfinished: erased.keyTableRewritten
                ? nil
                : "customer \(id) was erased and their key deleted, but an older transaction kept the key table from being rewritten; run the erasure again when it has ended")
    }

    public func hasKey(customerId: String) async throws -> Bool {
        try await turns.vault.hasKey(customerId)
    }

    // MARK: - Deletion

    /// The values of the conditions, which name them by placeholder: $1 an id, $2 and $3
    /// times, $4 names. All four are always bound (never NULL, so each has its type), so a
    /// condition is plain text that never holds a value, and conditions compose.
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

    /// The conditions on turn and recording rows that select `rows`, and their values.
    static func conditions(_ rows: RetainedRows) -> (turns: String, recordings: String, values: RowValues) {
        switch rows {
        case .session(let id): return (#""sessionId" = $1"#, #""sessionId" = $1"#, RowValues(id: id))
        case .customer(let id): return (#""customerId" = $1"#, #""customerId" = $1"#, RowValues(id: id))
        case .recorded(let from, let to):
            let recorded = #""createdAt" >= $2 AND "createdAt" < $3"#
            return (recorded, recorded, RowValues(from: from ?? .distantPast, to: to))
        case .expired(let rows, let transcriptsBefore, let recordingsBefore):
            let (ofClass, values) = isOfClass(#""deviceClass""#, rows)
            return (
                "\(ofClass) AND \"createdAt\" < $2", "\(ofClass) AND \"createdAt\" < $3",
                RowValues(id: values.id, from: transcriptsBefore, to: recordingsBefore, names: values.names)
            )
        }
    }

    /// A condition on a row's device class (`column`): the name is $1, the classes the
    /// others exclude $4.
    static func isOfClass(_ column: String, _ rows: DeviceClassRows) -> (String, RowValues) {
        switch rows {
        case .named(let name): ("\(column) = $1", RowValues(id: name))
        case .others(let named): ("(\(column) IS NULL OR \(column) <> ALL($4))", RowValues(names: named))
        }
    }

    public func deleteUnheld(_ rows: RetainedRows, dryRun: Bool) async throws -> Deletion {
        let (turns, recordings, values) = Self.conditions(rows)
        let turnsGoing = "(\(turns)) AND NOT \(Self.held)"
        let recordingsGoing = "((\(recordings)) OR \"turnId\" IN (SELECT \"id\" FROM \"turn\" WHERE \(turnsGoing))) AND NOT \(Self.held)"
        return try await database.withTransaction { connection, logger in
            func count(_ sql: String) async throws -> Int {
                var total = 0
                for try await value in try await connection.query(try values.query(sql), logger: logger).decode(Int64.self) { total = Int(value) }
                return total
            }
            var deletion = Deletion()
            deletion.heldTurns = try await count(#"SELECT COUNT(*) FROM "turn" WHERE (\#(turns)) AND \#(Self.held)"#)
            deletion.turns = try await count(#"SELECT COUNT(*) FROM "turn" WHERE \#(turnsGoing)"#)
            deletion.heldRecordings = try await count(#"SELECT COUNT(*) FROM "recording" WHERE (\#(recordings)) AND \#(Self.held)"#)
            deletion.recordings = try await count(#"SELECT COUNT(*) FROM "recording" WHERE \#(recordingsGoing)"#)
            guard !dryRun else { return deletion }
            try await connection.query(
                try values.query(#"DELETE FROM "recordingData" WHERE "recordingId" IN (SELECT "id" FROM "recording" WHERE \#(recordingsGoing))"#),
                logger: logger)
            try await connection.query(try values.query(#"DELETE FROM "recording" WHERE \#(recordingsGoing)"#), logger: logger)
            try await connection.query(try values.query(#"DELETE FROM "turn" WHERE \#(turnsGoing)"#), logger: logger)
            return deletion
        }
    }

    public func deleteEndedSessions(_ rows: DeviceClassRows, endedBefore before: Date, dryRun: Bool) async throws -> Int {
        let sessionClass = #"(SELECT "deviceClass" FROM "device" WHERE "device"."id" = "session"."deviceId")"#
        var (ofClass, values) = Self.isOfClass(sessionClass, rows)
        values.to = before
        return try await removeRows(
            from: "session",
            where: #"""
                "endedAt" IS NOT NULL AND "endedAt" < $3 AND \#(ofClass)
                AND "id" NOT IN (SELECT "subjectId" FROM "legalHold" WHERE "scope" = 'session' AND "releasedAt" IS NULL)
                AND "deviceId" NOT IN (SELECT d."id" FROM "device" d JOIN "legalHold" h ON h."subjectId" = d."customerId"
                                       WHERE h."scope" = 'customer' AND h."releasedAt" IS NULL)
                AND NOT EXISTS (SELECT 1 FROM "turn" WHERE "turn"."sessionId" = "session"."id")
                AND NOT EXISTS (SELECT 1 FROM "recording" WHERE "recording"."sessionId" = "session"."id")
                """#, values, dryRun: dryRun)
    }

    public func deleteIdleConversations(updatedBefore before: Date, dryRun: Bool) async throws -> Int {
        try await removeRows(
            from: "conversation",
            where: #"""
                "updatedAt" < $3
                AND NOT EXISTS (SELECT 1 FROM "turn" WHERE "turn"."conversationId" = "conversation"."id")
                AND NOT EXISTS (SELECT 1 FROM "session" WHERE "session"."conversationId" = "conversation"."id")
                AND "customerId" NOT IN (SELECT "subjectId" FROM "legalHold" WHERE "scope" = 'customer' AND "releasedAt" IS NULL)
                """#, RowValues(to: before), dryRun: dryRun)
    }

    /// Deletes (or, in a dry run, counts) the rows of `table` the condition selects.
    private func removeRows(from table: String, where condition: String, _ values: RowValues, dryRun: Bool) async throws -> Int {
        let sql = dryRun ? #"SELECT 1 FROM "\#(table)" WHERE \#(condition)"# : #"DELETE FROM "\#(table)" WHERE \#(condition) RETURNING 1"#
        return try await database.withConnection { connection, logger in
            try await connection.query(try values.query(sql), logger: logger).collect().count
        }
    }

    /// VACUUM, outside a transaction: the deleted rows' space is reclaimed for reuse.
    public func compact() async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(#"VACUUM "turn", "recording", "recordingData""#, logger: logger)
        }
    }

    // MARK: - Reads

    public func lastPolicySubject() async throws -> String? {
        try await database.withConnection { connection, logger in
            var subject: String?
            let rows = try await connection.query(
                #"SELECT "subject" FROM "auditEntry" WHERE "action" = 'policy_change' ORDER BY "sequence" DESC LIMIT 1"#, logger: logger)
            for try await found in rows.decode(String.self) { subject = found }
            return subject
        }
    }

    public func holdings(customerId: String) async throws -> CustomerHoldings {
        var placed: [(OrderRecord, [OrderEvent])] = []
        for order in try await orders.orders(customerId: customerId) {
            placed.append((order, try await orders.events(orderId: order.id)))
        }
        var audio: [String: Data] = [:]
        for (id, oggOpus) in try await turns.audio(customerId: customerId) { audio[id] = oggOpus }
        return CustomerHoldings(
            person: try await customers.customer(customerId), orders: placed, turns: try await turns.turns(customerId: customerId),
            recordings: try await turns.recordings(customerId: customerId), audio: audio)
    }
}

extension RetentionOffice {
    /// The office on the shared database, audited in the shared chain (`PostgresAuditStorage`).
    public init(postgres database: PostgresConnections, turns: PostgresTurnStorage, orders: any OrderStorage, customers: any CustomerStorage) {
        self.init(
            storage: PostgresRetentionStorage(database: database, turns: turns, orders: orders, customers: customers),
            auditTrail: PostgresAuditStorage(database: database))
    }
}
