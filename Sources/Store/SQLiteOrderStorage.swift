import Commerce
import Foundation
import GRDB

/// Places, changes and reads orders.
///
/// Placing is one transaction: the conversation's cart version is consumed, the guard's last
/// check runs on facts read there, the stock is taken, the order and its first event are
/// written and its idempotency key claimed together — so a retry returns the order already
/// placed, concurrent duplicates create exactly one, one cart version becomes at most one
/// order whichever sessions confirm it, and a crash leaves either all of it or none.
public struct SQLiteOrderStorage: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Returns the order for this idempotency key, placing it if it is new and the rules
    /// allow (`OrderPlacement.decision`), consuming the claimed cart version. One transaction:
    /// SQLite's single writer serialises placements. Throws `PlacementRefusal`, changing nothing.
    public func place(_ placement: OrderPlacement, at now: Date = Date()) throws -> (order: OrderRecord, isNew: Bool) {
        try database.writer.write { db in
            switch try placement.decision(on: try Self.facts(db, for: placement, at: now), at: now) {
            case .existing(let order): return (order, false)
            case .refused(let refusal): throw refusal
            case .write(let write):
                try Self.apply(db, write, at: now)
                return (write.order, true)
            }
        }
    }

    /// Moves an order to `status` if the rules allow (`OrderRecord.transition`); a
    /// cancellation puts the stock back. Throws `CommerceError.illegalTransition` (changing
    /// nothing) otherwise.
    @discardableResult
    public func transition(
        orderId: String, to status: OrderStatus, from expected: OrderStatus? = nil, note: String? = nil, source: String,
        at now: Date = Date()
    ) throws -> OrderRecord {
        try database.writer.write { db in
            guard let order = try OrderRecord.fetchOne(db, key: orderId) else { throw OrderNotFound(id: orderId) }
            let transition = try order.transition(to: status, from: expected, note: note, source: source, at: now)
            try transition.order.update(db)
            var event = transition.event
            try event.insert(db)
            for line in transition.restocked {
                try db.execute(sql: "UPDATE product SET stock = stock + ? WHERE id = ?", arguments: [line.quantity, line.productId])
            }
            return transition.order
        }
    }

    public func record(payment: PaymentRecord) throws {
        try database.writer.write { db in try payment.insert(db) }
    }

    public func update(orderId: String, trackingNumber: String? = nil, captureId: String? = nil) throws {
        try database.writer.write { db in
            if let trackingNumber {
                try db.execute(sql: "UPDATE \"order\" SET trackingNumber = ? WHERE id = ?", arguments: [trackingNumber, orderId])
            }
            if let captureId {
                try db.execute(sql: "UPDATE \"order\" SET captureId = ? WHERE id = ?", arguments: [captureId, orderId])
            }
        }
    }

    public func order(_ id: String) throws -> OrderRecord? {
        try database.writer.read { db in try OrderRecord.fetchOne(db, key: id) }
    }

    /// The order whose id starts with `prefix` (staff type the first few characters).
    public func order(matching prefix: String) throws -> OrderRecord? {
        try database.writer.read { db in
            let found = try OrderRecord.filter(OrderRecord.Columns.id.like("\(prefix)%")).limit(2).fetchAll(db)
            return found.count == 1 ? found[0] : nil
        }
    }

    public func orders(customerId: String) throws -> [OrderRecord] {
        try database.writer.read { db in
            try OrderRecord.filter(OrderRecord.Columns.customerId == customerId).order(OrderRecord.Columns.createdAt.desc).fetchAll(db)
        }
    }

    public func all(status: OrderStatus? = nil, limit: Int = 1_000) throws -> [OrderRecord] {
        try database.writer.read { db in
            var request = OrderRecord.order(OrderRecord.Columns.createdAt.desc).limit(limit)
            if let status { request = request.filter(OrderRecord.Columns.status == status) }
            return try request.fetchAll(db)
        }
    }

    /// Orders in `status`, oldest first, after `cursor` (the last one of the page before).
    public func oldest(status: OrderStatus, after cursor: OrderCursor?, limit: Int) throws -> [OrderRecord] {
        try database.writer.read { db in
            var request = OrderRecord.filter(OrderRecord.Columns.status == status)
            if let cursor {
                request = request.filter(
                    OrderRecord.Columns.createdAt > cursor.createdAt
                        || (OrderRecord.Columns.createdAt == cursor.createdAt && OrderRecord.Columns.id > cursor.id))
            }
            return try request.order(OrderRecord.Columns.createdAt, OrderRecord.Columns.id).limit(limit).fetchAll(db)
        }
    }

    public func events(orderId: String) throws -> [OrderEvent] {
        try database.writer.read { db in try OrderEvent.filter(OrderEvent.Columns.orderId == orderId).order(OrderEvent.Columns.id).fetchAll(db) }
    }

    public func payments(orderId: String) throws -> [PaymentRecord] {
        try database.writer.read { db in
            try PaymentRecord.filter(PaymentRecord.Columns.orderId == orderId).order(PaymentRecord.Columns.createdAt).fetchAll(db)
        }
    }

    /// Events after `id`, oldest first, each with its order (for pushing updates to sessions).
    public func events(after id: Int64, limit: Int = 500) throws -> [(event: OrderEvent, order: OrderRecord)] {
        try database.writer.read { db in
            let events = try OrderEvent.filter(OrderEvent.Columns.id > id).order(OrderEvent.Columns.id).limit(limit).fetchAll(db)
            return try events.compactMap { event in try OrderRecord.fetchOne(db, key: event.orderId).map { (event, $0) } }
        }
    }

    public func lastEventId() throws -> Int64 {
        try database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM orderEvent") ?? 0 }
    }

    /// What a device has spent since midnight UTC on orders not cancelled or refunded.
    public func spentToday(deviceId: String, at now: Date = Date()) throws -> Int {
        try database.writer.read { db in try Self.spentToday(db, deviceId: deviceId, at: now) }
    }

    /// The customer's orders since `date`, newest first, not counting cancelled ones.
    public func orders(customerId: String, since date: Date) throws -> [OrderRecord] {
        try database.writer.read { db in try Self.orders(db, customerId: customerId, since: date) }
    }

    /// The facts the guard's spending and repeat rules look at, read now.
    public func spendingFacts(deviceId: String, customerId: String, recentSince: Date, at now: Date = Date()) throws -> SpendingFacts {
        try database.writer.read { db in
            try Self.spendingFacts(db, deviceId: deviceId, customerId: customerId, recentSince: recentSince, at: now)
        }
    }

    static func spendingFacts(_ db: Database, deviceId: String, customerId: String, recentSince: Date, at now: Date) throws -> SpendingFacts {
        try SpendingFacts(
            spentToday: try spentToday(db, deviceId: deviceId, at: now), recent: try orders(db, customerId: customerId, since: recentSince))
    }

    static func spentToday(_ db: Database, deviceId: String, at now: Date) throws -> Int {
        try Int.fetchOne(
            db,
            sql: """
                SELECT COALESCE(SUM(totalMinorUnits), 0) FROM "order"
                WHERE deviceId = ? AND createdAt >= ? AND status NOT IN \(OrderStatus.unfulfilledSQLList)
                """,
            arguments: [deviceId, SpendingFacts.startOfDay(now)]) ?? 0
    }

    static func orders(_ db: Database, customerId: String, since date: Date) throws -> [OrderRecord] {
        try OrderRecord
            .filter(OrderRecord.Columns.customerId == customerId && OrderRecord.Columns.createdAt >= date
                && ![OrderStatus.cancelled, .refundFailed].contains(OrderRecord.Columns.status))
            .order(OrderRecord.Columns.createdAt.desc).fetchAll(db)
    }

    /// What the rules need to decide on a placement, read in its transaction. A retried key
    /// needs nothing more: its order stands.
    static func facts(_ db: Database, for placement: OrderPlacement, at now: Date) throws -> PlacementFacts {
        if let existing = try OrderRecord.filter(OrderRecord.Columns.idempotencyKey == placement.idempotencyKey).fetchOne(db) {
            return PlacementFacts(existing: existing, revoked: false, stock: [:])
        }
        var facts = PlacementFacts(
            existing: nil,
            revoked: try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM device WHERE id = ? AND revokedAt IS NOT NULL)
                        OR EXISTS (SELECT 1 FROM customer WHERE id = ? AND revokedAt IS NOT NULL)
                    """,
                arguments: [placement.deviceId, placement.customerId]) ?? false,
            stock: [:])
        if let claim = placement.cart {
            facts.currentCartVersion = try Int.fetchOne(
                db, sql: "SELECT cartVersion FROM conversation WHERE id = ?", arguments: [claim.conversationId])
            facts.claimedVersionPlacedAs = try String.fetchOne(
                db, sql: "SELECT id FROM \"order\" WHERE conversationId = ? AND cartVersion = ?",
                arguments: [claim.conversationId, claim.version])
        }
        if let check = placement.spendingCheck {
            facts.spending = try spendingFacts(
                db, deviceId: placement.deviceId, customerId: placement.customerId, recentSince: check.recentSince, at: now)
        }
        for productId in placement.productIds {
            facts.stock[productId] = try Int.fetchOne(db, sql: "SELECT stock FROM product WHERE id = ?", arguments: [productId])
        }
        return facts
    }

    /// Writes what the rules allowed.
    static func apply(_ db: Database, _ write: PlacementWrite, at now: Date) throws {
        for (productId, quantity) in write.stockTaken {
            try db.execute(sql: "UPDATE product SET stock = stock - ? WHERE id = ?", arguments: [quantity, productId])
        }
        try write.order.insert(db)
        if let conversationId = write.consumedCart {
            try db.execute(
                sql: "UPDATE conversation SET cartJSON = NULL, cartVersion = cartVersion + 1, updatedAt = ? WHERE id = ?",
                arguments: [now, conversationId])
        }
        var event = write.event
        try event.insert(db)
        for fingerprint in write.fingerprints {
            try db.execute(
                sql: "INSERT OR IGNORE INTO utteranceFingerprint (fingerprint, orderId, createdAt) VALUES (?, ?, ?)",
                arguments: [fingerprint, write.order.id, now])
        }
    }

    /// Records that the order's customer was told it was placed (idempotent).
    public func markAnnounced(orderId: String, at now: Date) throws {
        try database.writer.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO orderAnnouncement (orderId, announcedAt) VALUES (?, ?)", arguments: [orderId, now])
        }
    }

    public func unannounced(conversationId: String, since date: Date) throws -> [OrderRecord] {
        try database.writer.read { db in
            try OrderRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM "order" WHERE conversationId = ? AND createdAt >= ?
                    AND NOT EXISTS (SELECT 1 FROM orderAnnouncement WHERE orderId = "order".id) ORDER BY createdAt
                    """,
                arguments: [conversationId, date])
        }
    }

    /// Whether these exact utterance samples already led to an order (a replayed stream).
    public func hasFingerprint(_ fingerprint: String) throws -> Bool {
        try database.writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM utteranceFingerprint WHERE fingerprint = ?)", arguments: [fingerprint])
                ?? false
        }
    }
}

extension SQLiteOrderStorage: OrderStorage {}
