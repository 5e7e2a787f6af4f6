import Commerce
import Foundation
import Logging
import PostgresNIO
import Store

/// Orders, their events, payments and utterance fingerprints in PostgreSQL.
///
/// SQLite's one writer serialises placements; here each placing transaction first takes
/// advisory transaction locks on its idempotency key and on its customer, so placements of
/// one customer, on any nodes, are taken one at a time: a retried key finds the order already
/// placed, the spending recheck sees the others' orders, and a cart version is claimed once.
/// The unique indexes (idempotency key; conversation and cart version) stand behind the locks.
/// Every event written also notifies `PostgresOrderNews.channel`, on commit.
public struct PostgresOrderStorage: OrderStorage {
    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    static let orderColumns = #""id", "customerId", "deviceId", "status", "totalMinorUnits", "currency", "linesJSON", "idempotencyKey", "createdAt", "updatedAt", "paymentMethodId", "addressId", "trackingNumber", "captureId", "conversationId", "cartVersion""#

    public func place(_ placement: OrderPlacement, at now: Date = Date()) async throws -> (order: OrderRecord, isNew: Bool) {
        try await database.withTransaction { connection, logger in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext(\("order key:" + placement.idempotencyKey))), pg_advisory_xact_lock(hashtext(\("customer:" + placement.customerId)))",
                logger: logger)
            switch try placement.decision(on: try await Self.facts(on: connection, logger, for: placement, at: now), at: now) {
            case .existing(let order): return (order, false)
            case .refused(let refusal): throw refusal
            case .write(let write):
                try await Self.apply(on: connection, logger, write, at: now)
                return (write.order, true)
            }
        }
    }

    @discardableResult
    public func transition(
        orderId: String, to status: OrderStatus, from expected: OrderStatus? = nil, note: String? = nil, source: String, at now: Date = Date()
    ) async throws -> OrderRecord {
        try await database.withTransaction { connection, logger in
            // FOR UPDATE: two nodes moving one order at once take turns, the second seeing the first's status.
            guard let order = try await Self.orders(on: connection, logger, where: #""id" = $1 FOR UPDATE"#, [orderId]).first else {
                throw OrderNotFound(id: orderId)
            }
            let transition = try order.transition(to: status, from: expected, note: note, source: source, at: now)
            try await connection.query(
                #"UPDATE "order" SET "status" = \#(status.rawValue), "updatedAt" = \#(now) WHERE "id" = \#(orderId)"#, logger: logger)
            try await Self.addEvent(on: connection, logger, transition.event)
            for line in transition.restocked {
                try await connection.query(
                    #"UPDATE "product" SET "stock" = "stock" + \#(line.quantity) WHERE "id" = \#(line.productId)"#, logger: logger)
            }
            return transition.order
        }
    }

    public func record(payment: PaymentRecord) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                """
                INSERT INTO "payment" ("id", "orderId", "kind", "amountMinorUnits", "currency", "providerReference", "outcome", "createdAt")
                VALUES (\(payment.id), \(payment.orderId), \(payment.kind.rawValue), \(payment.amountMinorUnits), \(payment.currency),
                        \(payment.providerReference), \(payment.outcome), \(payment.createdAt))
                """, logger: logger)
        }
    }

    public func update(orderId: String, trackingNumber: String? = nil, captureId: String? = nil) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"""
                UPDATE "order" SET "trackingNumber" = COALESCE(\#(trackingNumber), "trackingNumber"), "captureId" = COALESCE(\#(captureId), "captureId")
                WHERE "id" = \#(orderId)
                """#, logger: logger)
        }
    }

    public func order(_ id: String) async throws -> OrderRecord? {
        try await orders(where: #""id" = $1"#, [id]).first
    }

    public func order(matching prefix: String) async throws -> OrderRecord? {
        let found = try await orders(where: #""id" LIKE $1 || '%' ORDER BY "id" LIMIT 2"#, [prefix])
        return found.count == 1 ? found[0] : nil
    }

    public func orders(customerId: String) async throws -> [OrderRecord] {
        try await orders(where: #""customerId" = $1 ORDER BY "createdAt" DESC"#, [customerId])
    }

    public func all(status: OrderStatus? = nil, limit: Int = 1_000) async throws -> [OrderRecord] {
        if let status { return try await orders(where: #""status" = $1 ORDER BY "createdAt" DESC LIMIT \#(limit)"#, [status.rawValue]) }
        return try await orders(where: #"TRUE ORDER BY "createdAt" DESC LIMIT \#(limit)"#, [])
    }

    public func oldest(status: OrderStatus, after cursor: OrderCursor?, limit: Int) async throws -> [OrderRecord] {
        guard let cursor else {
            return try await orders(where: #""status" = $1 ORDER BY "createdAt", "id" LIMIT \#(limit)"#, [status.rawValue])
        }
        return try await orders(
            where: #""status" = $1 AND ("createdAt", "id") > ($2, $3) ORDER BY "createdAt", "id" LIMIT \#(limit)"#,
            [status.rawValue, cursor.createdAt, cursor.id])
    }

    public func events(orderId: String) async throws -> [OrderEvent] {
        try await database.withConnection { connection, logger in
            try await Self.events(on: connection, logger, where: #""orderId" = $1"#, [orderId])
        }
    }

    public func payments(orderId: String) async throws -> [PaymentRecord] {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"""
                SELECT "id", "orderId", "kind", "amountMinorUnits", "currency", "providerReference", "outcome", "createdAt"
                FROM "payment" WHERE "orderId" = \#(orderId) ORDER BY "createdAt"
                """#, logger: logger)
            var found: [PaymentRecord] = []
            for try await (id, orderId, kind, amount, currency, reference, outcome, created) in rows.decode(
                (String, String, String, Int, String, String?, String, Date).self)
            {
                guard let kind = PaymentKind(rawValue: kind) else { throw PostgresProblem("payment \(id)", UnknownValue(kind)) }
                found.append(PaymentRecord(
                    id: id, orderId: orderId, kind: kind, amountMinorUnits: amount, currency: currency, providerReference: reference,
                    outcome: outcome, createdAt: created))
            }
            return found
        }
    }

    public func events(after id: Int64, limit: Int = 500) async throws -> [(event: OrderEvent, order: OrderRecord)] {
        try await database.withConnection { connection, logger in
            let events = try await Self.events(on: connection, logger, where: #""id" > $1"#, [Int(id)], limit: limit)
            let orders = try await Self.orders(on: connection, logger, where: #""id" = ANY($1)"#, [Array(Set(events.map(\.orderId)))])
            let byId = Dictionary(orders.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
            return events.compactMap { event in byId[event.orderId].map { (event, $0) } }
        }
    }

    public func lastEventId() async throws -> Int64 {
        try await database.withConnection { connection, logger in
            var last: Int64 = 0
            for try await id in try await connection.query(#"SELECT COALESCE(MAX("id"), 0) FROM "orderEvent""#, logger: logger).decode(Int64.self) {
                last = id
            }
            return last
        }
    }

    public func spentToday(deviceId: String, at now: Date = Date()) async throws -> Int {
        try await database.withConnection { connection, logger in try await Self.spentToday(on: connection, logger, deviceId: deviceId, at: now) }
    }

    public func spendingFacts(deviceId: String, customerId: String, recentSince: Date, at now: Date = Date()) async throws
        -> SpendingFacts
    {
        try await database.withConnection { connection, logger in
            try await Self.spendingFacts(on: connection, logger, deviceId: deviceId, customerId: customerId, recentSince: recentSince, at: now)
        }
    }

    public func markAnnounced(orderId: String, at now: Date) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"INSERT INTO "orderAnnouncement" ("orderId", "announcedAt") VALUES (\#(orderId), \#(now)) ON CONFLICT DO NOTHING"#, logger: logger)
        }
    }

    public func unannounced(conversationId: String, since date: Date) async throws -> [OrderRecord] {
        try await orders(
            where: #"""
                "conversationId" = $1 AND "createdAt" >= $2
                AND NOT EXISTS (SELECT 1 FROM "orderAnnouncement" a WHERE a."orderId" = "order"."id") ORDER BY "createdAt"
                """#, [conversationId, date])
    }

    public func hasFingerprint(_ fingerprint: String) async throws -> Bool {
        try await database.withConnection { connection, logger in
            try await connection.returnsRows(
                #"SELECT 1 FROM "utteranceFingerprint" WHERE "fingerprint" = \#(fingerprint) LIMIT 1"#, logger: logger)
        }
    }

    // MARK: - Statements shared by the methods above

    private func orders(where condition: String, _ values: [any PostgresEncodable & Sendable]) async throws -> [OrderRecord] {
        try await database.withConnection { connection, logger in try await Self.orders(on: connection, logger, where: condition, values) }
    }

    static func orders(
        on connection: PostgresConnection, _ logger: Logger, where condition: String, _ values: [any PostgresEncodable & Sendable]
    ) async throws -> [OrderRecord] {
        let rows = try await connection.query(
            .selecting(#"SELECT \#(orderColumns) FROM "order" WHERE \#(condition)"#, values), logger: logger)
        var found: [OrderRecord] = []
        for try await row in rows {
            let (id, customerId, deviceId, status, total, currency, lines, key, created, updated, paymentMethodId, addressId, trackingNumber,
                captureId, conversationId, cartVersion) = try row.decode(
                    (String, String, String, String, Int, String, String, String, Date, Date, String?, String?, String?, String?, String?, Int?).self)
            guard let status = OrderStatus(rawValue: status) else { throw PostgresProblem("order \(id)", UnknownValue(status)) }
            found.append(OrderRecord(
                id: id, customerId: customerId, deviceId: deviceId, status: status, totalMinorUnits: total, currency: currency,
                linesJSON: lines, idempotencyKey: key, createdAt: created, updatedAt: updated, paymentMethodId: paymentMethodId,
                addressId: addressId, trackingNumber: trackingNumber, captureId: captureId, conversationId: conversationId,
                cartVersion: cartVersion))
        }
        return found
    }

    static func events(
        on connection: PostgresConnection, _ logger: Logger, where condition: String, _ values: [any PostgresEncodable & Sendable],
        limit: Int = 10_000
    ) async throws -> [OrderEvent] {
        let rows = try await connection.query(
            .selecting(
                #"SELECT "id", "orderId", "status", "note", "source", "createdAt" FROM "orderEvent" WHERE \#(condition) ORDER BY "id" LIMIT \#(limit)"#,
                values), logger: logger)
        var found: [OrderEvent] = []
        for try await (id, orderId, status, note, source, created) in rows.decode((Int64, String, String, String?, String, Date).self) {
            guard let status = OrderStatus(rawValue: status) else { throw PostgresProblem("order event \(id)", UnknownValue(status)) }
            found.append(OrderEvent(id: id, orderId: orderId, status: status, note: note, source: source, createdAt: created))
        }
        return found
    }

    /// Writes an order event and notifies the nodes' order feeds of it (delivered on commit).
    static func addEvent(on connection: PostgresConnection, _ logger: Logger, _ event: OrderEvent) async throws {
        try await connection.query(
            #"""
            WITH event AS (
                INSERT INTO "orderEvent" ("orderId", "status", "note", "source", "createdAt")
                VALUES (\#(event.orderId), \#(event.status.rawValue), \#(event.note), \#(event.source), \#(event.createdAt)) RETURNING "id")
            SELECT pg_notify(\#(PostgresOrderNews.channel), "id"::text) FROM event
            """#, logger: logger)
    }

    static func spentToday(on connection: PostgresConnection, _ logger: Logger, deviceId: String, at now: Date) async throws -> Int {
        let rows = try await connection.query(
            #"""
            SELECT COALESCE(SUM("totalMinorUnits"), 0)::BIGINT FROM "order"
            WHERE "deviceId" = \#(deviceId) AND "createdAt" >= \#(SpendingFacts.startOfDay(now)) AND "status" NOT IN \#(unescaped: OrderStatus.unfulfilledSQLList)
            """#, logger: logger)
        var spent = 0
        for try await sum in rows.decode(Int.self) { spent = sum }
        return spent
    }

    static func spendingFacts(
        on connection: PostgresConnection, _ logger: Logger, deviceId: String, customerId: String, recentSince: Date, at now: Date
    ) async throws -> SpendingFacts {
        let recent = try await orders(
            on: connection, logger, where: #""customerId" = $1 AND "createdAt" >= $2 AND "status" NOT IN ('cancelled', 'refund_failed') ORDER BY "createdAt" DESC"#,
            [customerId, recentSince])
        return try SpendingFacts(spentToday: try await spentToday(on: connection, logger, deviceId: deviceId, at: now), recent: recent)
    }

    /// What the rules need to decide on a placement, read in its transaction: the claimed
    /// conversation and the products locked, so no other placement changes them meanwhile.
    static func facts(on connection: PostgresConnection, _ logger: Logger, for placement: OrderPlacement, at now: Date) async throws
        -> PlacementFacts
    {
        // A retried key needs nothing more (its order stands), and locks no rows.
        if let existing = try await orders(on: connection, logger, where: #""idempotencyKey" = $1"#, [placement.idempotencyKey]).first {
            return PlacementFacts(existing: existing, revoked: false, stock: [:])
        }
        var facts = PlacementFacts(
            existing: nil,
            revoked: try await connection.returnsRows(
                #"""
                SELECT 1 WHERE EXISTS (SELECT 1 FROM "device" WHERE "id" = \#(placement.deviceId) AND "revokedAt" IS NOT NULL)
                    OR EXISTS (SELECT 1 FROM "customer" WHERE "id" = \#(placement.customerId) AND "revokedAt" IS NOT NULL)
                """#, logger: logger),
            stock: [:])
        if let claim = placement.cart {
            for try await version in try await connection.query(
                #"SELECT "cartVersion" FROM "conversation" WHERE "id" = \#(claim.conversationId) FOR UPDATE"#, logger: logger
            ).decode(Int.self) { facts.currentCartVersion = version }
            for try await id in try await connection.query(
                #"SELECT "id" FROM "order" WHERE "conversationId" = \#(claim.conversationId) AND "cartVersion" = \#(claim.version)"#, logger: logger
            ).decode(String.self) { facts.claimedVersionPlacedAs = id }
        }
        if let check = placement.spendingCheck {
            facts.spending = try await spendingFacts(
                on: connection, logger, deviceId: placement.deviceId, customerId: placement.customerId, recentSince: check.recentSince, at: now)
        }
        for try await (id, stock) in try await connection.query(
            #"SELECT "id", "stock" FROM "product" WHERE "id" = ANY(\#(placement.productIds)) ORDER BY "id" FOR UPDATE"#, logger: logger
        ).decode((String, Int).self) { facts.stock[id] = stock }
        return facts
    }

    /// Writes what the rules allowed.
    static func apply(on connection: PostgresConnection, _ logger: Logger, _ write: PlacementWrite, at now: Date) async throws {
        for (productId, quantity) in write.stockTaken {
            try await connection.query(#"UPDATE "product" SET "stock" = "stock" - \#(quantity) WHERE "id" = \#(productId)"#, logger: logger)
        }
        let order = write.order
        try await connection.query(
            """
            INSERT INTO "order" (\(unescaped: Self.orderColumns)) VALUES (
                \(order.id), \(order.customerId), \(order.deviceId), \(order.status.rawValue), \(order.totalMinorUnits), \(order.currency),
                \(order.linesJSON), \(order.idempotencyKey), \(order.createdAt), \(order.updatedAt), \(order.paymentMethodId),
                \(order.addressId), \(order.trackingNumber), \(order.captureId), \(order.conversationId), \(order.cartVersion))
            """, logger: logger)
        if let conversationId = write.consumedCart {
            try await connection.query(
                #"UPDATE "conversation" SET "cartJSON" = NULL, "cartVersion" = "cartVersion" + 1, "updatedAt" = \#(now) WHERE "id" = \#(conversationId)"#,
                logger: logger)
        }
        try await addEvent(on: connection, logger, write.event)
        for fingerprint in write.fingerprints {
            try await connection.query(
                #"INSERT INTO "utteranceFingerprint" ("fingerprint", "orderId", "createdAt") VALUES (\#(fingerprint), \#(order.id), \#(now)) ON CONFLICT DO NOTHING"#,
                logger: logger)
        }
    }
}
