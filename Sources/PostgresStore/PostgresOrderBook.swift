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
/// Every event written also notifies `PostgresOrderEvents.channel`, on commit.
public struct PostgresOrderBook: OrderLedger {
    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    static let orderColumns = #""id", "customerId", "deviceId", "status", "totalMinorUnits", "currency", "linesJSON", "idempotencyKey", "createdAt", "updatedAt", "paymentMethodId", "addressId", "trackingNumber", "captureId", "conversationId", "cartVersion""#

    public func place(_ placement: OrderBook.Placement, at now: Date = Date()) async throws -> (order: OrderRecord, isNew: Bool) {
        try await database.withTransaction { connection, logger in
            try await connection.query(
                "SELECT pg_advisory_xact_lock(hashtext(\("order key:" + placement.idempotencyKey))), pg_advisory_xact_lock(hashtext(\("customer:" + placement.customerId)))",
                logger: logger)
            if let existing = try await Self.orders(on: connection, logger, where: #""idempotencyKey" = $1"#, [placement.idempotencyKey]).first {
                return (existing, false)
            }
            try await Self.checkNotRevoked(on: connection, logger, deviceId: placement.deviceId, customerId: placement.customerId)
            if let claim = placement.cart { try await Self.checkCurrent(on: connection, logger, claim) }
            if let recheck = placement.recheck {
                try recheck.rule(try await Self.spendingFacts(
                    on: connection, logger, deviceId: placement.deviceId, customerId: placement.customerId,
                    recentSince: recheck.recentSince, at: now))
            }
            for line in placement.lines {
                let taken = try await connection.returnsRows(
                    #"UPDATE "product" SET "stock" = "stock" - \#(line.quantity) WHERE "id" = \#(line.productId) AND "stock" >= \#(line.quantity) RETURNING "stock""#,
                    logger: logger)
                if !taken {
                    var available: Int?
                    for try await stock in try await connection.query(#"SELECT "stock" FROM "product" WHERE "id" = \#(line.productId)"#, logger: logger)
                        .decode(Int.self)
                    { available = stock }
                    guard let available else { throw CommerceError.unknownProduct(line.productId) }
                    throw CommerceError.outOfStock(productId: line.productId, available: available)
                }
            }
            let order = try placement.newOrder(at: now)
            try await connection.query(
                """
                INSERT INTO "order" (\(unescaped: Self.orderColumns)) VALUES (
                    \(order.id), \(order.customerId), \(order.deviceId), \(order.status.rawValue), \(order.totalMinorUnits), \(order.currency),
                    \(order.linesJSON), \(order.idempotencyKey), \(order.createdAt), \(order.updatedAt), \(order.paymentMethodId),
                    \(order.addressId), \(order.trackingNumber), \(order.captureId), \(order.conversationId), \(order.cartVersion))
                """, logger: logger)
            if let claim = placement.cart {
                try await connection.query(
                    #"UPDATE "conversation" SET "cartJSON" = NULL, "cartVersion" = "cartVersion" + 1, "updatedAt" = \#(now) WHERE "id" = \#(claim.conversationId)"#,
                    logger: logger)
            }
            try await Self.addEvent(on: connection, logger, orderId: order.id, status: order.status, note: nil, source: placement.source, at: now)
            for fingerprint in placement.fingerprints {
                try await connection.query(
                    #"INSERT INTO "utteranceFingerprint" ("fingerprint", "orderId", "createdAt") VALUES (\#(fingerprint), \#(order.id), \#(now)) ON CONFLICT DO NOTHING"#,
                    logger: logger)
            }
            return (order, true)
        }
    }

    @discardableResult
    public func transition(
        orderId: String, to status: OrderStatus, from expected: OrderStatus? = nil, note: String? = nil, source: String, at now: Date = Date()
    ) async throws -> OrderRecord {
        try await database.withTransaction { connection, logger in
            // FOR UPDATE: two nodes moving one order at once take turns, the second seeing the first's status.
            guard var order = try await Self.orders(on: connection, logger, where: #""id" = $1 FOR UPDATE"#, [orderId]).first else {
                throw OrderBook.OrderNotFound(id: orderId)
            }
            let current = order.status
            if let expected, current != expected { throw CommerceError.illegalTransition(from: current, to: status) }
            _ = try current.transition(to: status)
            order.status = status
            order.updatedAt = now
            try await connection.query(
                #"UPDATE "order" SET "status" = \#(status.rawValue), "updatedAt" = \#(now) WHERE "id" = \#(orderId)"#, logger: logger)
            try await Self.addEvent(on: connection, logger, orderId: orderId, status: status, note: note, source: source, at: now)
            if current.returnsStock(movingTo: status) {
                for line in try OrderBook.lines(of: order) {
                    try await connection.query(
                        #"UPDATE "product" SET "stock" = "stock" + \#(line.quantity) WHERE "id" = \#(line.productId)"#, logger: logger)
                }
            }
            return order
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
        -> OrderBook.SpendingFacts
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
    static func addEvent(
        on connection: PostgresConnection, _ logger: Logger, orderId: String, status: OrderStatus, note: String?, source: String, at now: Date
    ) async throws {
        try await connection.query(
            #"""
            WITH event AS (
                INSERT INTO "orderEvent" ("orderId", "status", "note", "source", "createdAt")
                VALUES (\#(orderId), \#(status.rawValue), \#(note), \#(source), \#(now)) RETURNING "id")
            SELECT pg_notify(\#(PostgresOrderEvents.channel), "id"::text) FROM event
            """#, logger: logger)
    }

    static func spentToday(on connection: PostgresConnection, _ logger: Logger, deviceId: String, at now: Date) async throws -> Int {
        let rows = try await connection.query(
            #"""
            SELECT COALESCE(SUM("totalMinorUnits"), 0)::BIGINT FROM "order"
            WHERE "deviceId" = \#(deviceId) AND "createdAt" >= \#(OrderBook.startOfDay(now)) AND "status" NOT IN \#(unescaped: OrderStatus.unfulfilledSQLList)
            """#, logger: logger)
        var spent = 0
        for try await sum in rows.decode(Int.self) { spent = sum }
        return spent
    }

    static func spendingFacts(
        on connection: PostgresConnection, _ logger: Logger, deviceId: String, customerId: String, recentSince: Date, at now: Date
    ) async throws -> OrderBook.SpendingFacts {
        let recent = try await orders(
            on: connection, logger, where: #""customerId" = $1 AND "createdAt" >= $2 AND "status" NOT IN ('cancelled', 'refund_failed') ORDER BY "createdAt" DESC"#,
            [customerId, recentSince])
        return try OrderBook.SpendingFacts(spentToday: try await spentToday(on: connection, logger, deviceId: deviceId, at: now), recent: recent)
    }

    static func checkNotRevoked(on connection: PostgresConnection, _ logger: Logger, deviceId: String, customerId: String) async throws {
        let revoked = try await connection.returnsRows(
            #"""
            SELECT 1 WHERE EXISTS (SELECT 1 FROM "device" WHERE "id" = \#(deviceId) AND "revokedAt" IS NOT NULL)
                OR EXISTS (SELECT 1 FROM "customer" WHERE "id" = \#(customerId) AND "revokedAt" IS NOT NULL)
            """#, logger: logger)
        if revoked { throw OrderBook.Refusal.revoked }
    }

    static func checkCurrent(on connection: PostgresConnection, _ logger: Logger, _ claim: OrderBook.CartClaim) async throws {
        var current: Int?
        for try await version in try await connection.query(
            #"SELECT "cartVersion" FROM "conversation" WHERE "id" = \#(claim.conversationId) FOR UPDATE"#, logger: logger
        ).decode(Int.self) { current = version }
        guard current != claim.version else { return }
        var placed: String?
        for try await id in try await connection.query(
            #"SELECT "id" FROM "order" WHERE "conversationId" = \#(claim.conversationId) AND "cartVersion" = \#(claim.version)"#, logger: logger
        ).decode(String.self) { placed = id }
        throw placed.map { OrderBook.Refusal.alreadyPlaced(orderId: $0) } ?? OrderBook.Refusal.cartChanged
    }
}

/// A stored value this version does not know (written by a newer Talkshop).
struct UnknownValue: Error, CustomStringConvertible {
    var value: String
    init(_ value: String) { self.value = value }
    var description: String { "unknown value '\(value)'" }
}
