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
public struct OrderBook: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    public struct Placement: Sendable {
        public var customerId: String
        public var deviceId: String
        public var lines: [Cart.Line]
        public var total: Money
        public var paymentMethodId: String?
        public var addressId: String?
        public var idempotencyKey: String
        /// Who placed it: a session id, or "staff".
        public var source: String
        /// Fingerprints of the spoken utterances that led to it (replay protection).
        public var fingerprints: [String]
        /// The conversation's cart version that was read back and confirmed (nil for staff).
        public var cart: CartClaim?
        /// The guard's last check, run inside the placing transaction (nil: none).
        public var recheck: Recheck?

        public init(
            customerId: String, deviceId: String, lines: [Cart.Line], total: Money, paymentMethodId: String? = nil,
            addressId: String? = nil, idempotencyKey: String, source: String, fingerprints: [String] = [], cart: CartClaim? = nil,
            recheck: Recheck? = nil
        ) {
            self.customerId = customerId
            self.deviceId = deviceId
            self.lines = lines
            self.total = total
            self.paymentMethodId = paymentMethodId
            self.addressId = addressId
            self.idempotencyKey = idempotencyKey
            self.source = source
            self.fingerprints = fingerprints
            self.cart = cart
            self.recheck = recheck
        }
    }

    /// One version of a conversation's cart, as a read-back showed it.
    public struct CartClaim: Sendable, Equatable {
        public var conversationId: String
        public var version: Int

        public init(conversationId: String, version: Int) {
            self.conversationId = conversationId
            self.version = version
        }
    }

    /// A rule checked on facts read inside the placing transaction, so that sessions placing at
    /// the same moment see each other's orders. It throws to refuse; nothing is written then.
    public struct Recheck: Sendable {
        /// The customer's orders since this time count as recent.
        public var recentSince: Date
        public var rule: @Sendable (SpendingFacts) throws -> Void

        public init(recentSince: Date, rule: @escaping @Sendable (SpendingFacts) throws -> Void) {
            self.recentSince = recentSince
            self.rule = rule
        }
    }

    /// What the guard's spending and repeat rules look at.
    public struct SpendingFacts: Sendable {
        /// Spent today (UTC) on this device, on orders not cancelled or refunded.
        public var spentTodayMinorUnits: Int
        /// The customer's orders since `Recheck.recentSince`, not cancelled: cart signature and time.
        public var recentOrders: [(signature: String, placedAt: Date)]
    }

    /// Why a confirmed order was not written. Nothing was changed.
    public enum Refusal: Error, Equatable, CustomStringConvertible {
        /// That cart version already became this order, confirmed on another device.
        case alreadyPlaced(orderId: String)
        /// The cart changed (on another device) after it was read back.
        case cartChanged
        /// The device or the customer was revoked.
        case revoked

        /// A stable identifier, for metrics and logs.
        public var code: String {
            switch self {
            case .alreadyPlaced: "already_placed"
            case .cartChanged: "cart_changed"
            case .revoked: "revoked"
            }
        }

        public var description: String {
            switch self {
            case .alreadyPlaced(let id): "this cart was already placed as order \(id)"
            case .cartChanged: "the cart changed after it was read back"
            case .revoked: "the device or customer was revoked"
            }
        }
    }

    /// Returns the order for this idempotency key, placing it if it is new and consuming the
    /// claimed cart version (the conversation's cart is empty afterwards). Throws, changing
    /// nothing: `Refusal` when the cart version is gone or the device or customer revoked,
    /// whatever the recheck rule throws, and `CommerceError.outOfStock` when a product ran out.
    public func place(_ placement: Placement, at now: Date = Date()) throws -> (order: OrderRecord, isNew: Bool) {
        try database.writer.write { db in
            if let existing = try OrderRecord.filter(OrderRecord.Columns.idempotencyKey == placement.idempotencyKey).fetchOne(db) {
                return (existing, false)
            }
            try Self.checkNotRevoked(db, deviceId: placement.deviceId, customerId: placement.customerId)
            if let claim = placement.cart { try Self.checkCurrent(db, claim) }
            if let recheck = placement.recheck {
                try recheck.rule(try Self.spendingFacts(
                    db, deviceId: placement.deviceId, customerId: placement.customerId, recentSince: recheck.recentSince, at: now))
            }
            for line in placement.lines {
                try db.execute(
                    sql: "UPDATE product SET stock = stock - ? WHERE id = ? AND stock >= ?",
                    arguments: [line.quantity, line.productId, line.quantity])
                if db.changesCount == 0 {
                    let available = try Int.fetchOne(db, sql: "SELECT stock FROM product WHERE id = ?", arguments: [line.productId])
                    guard let available else { throw CommerceError.unknownProduct(line.productId) }
                    throw CommerceError.outOfStock(productId: line.productId, available: available)
                }
            }
            let order = try placement.newOrder(at: now)
            try order.insert(db)
            if let claim = placement.cart {
                try db.execute(
                    sql: "UPDATE conversation SET cartJSON = NULL, cartVersion = cartVersion + 1, updatedAt = ? WHERE id = ?",
                    arguments: [now, claim.conversationId])
            }
            var event = OrderEvent(id: nil, orderId: order.id, status: order.status, note: nil, source: placement.source, createdAt: now)
            try event.insert(db)
            for fingerprint in placement.fingerprints {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO utteranceFingerprint (fingerprint, orderId, createdAt) VALUES (?, ?, ?)",
                    arguments: [fingerprint, order.id, now])
            }
            return (order, true)
        }
    }

    /// Moves an order to `status` if that is a legal transition — and, given `expected`, only
    /// from that status (so two paths racing on one order cannot both act); a cancellation
    /// puts the stock back. Throws `CommerceError.illegalTransition` (changing nothing) otherwise.
    @discardableResult
    public func transition(
        orderId: String, to status: OrderStatus, from expected: OrderStatus? = nil, note: String? = nil, source: String,
        at now: Date = Date()
    ) throws -> OrderRecord {
        try database.writer.write { db in
            guard var order = try OrderRecord.fetchOne(db, key: orderId) else { throw OrderNotFound(id: orderId) }
            let current = order.status
            if let expected, current != expected { throw CommerceError.illegalTransition(from: current, to: status) }
            _ = try current.transition(to: status)
            order.status = status
            order.updatedAt = now
            try order.update(db)
            var event = OrderEvent(id: nil, orderId: orderId, status: status, note: note, source: source, createdAt: now)
            try event.insert(db)
            if current.returnsStock(movingTo: status) {
                for line in try Self.lines(of: order) {
                    try db.execute(sql: "UPDATE product SET stock = stock + ? WHERE id = ?", arguments: [line.quantity, line.productId])
                }
            }
            return order
        }
    }

    public struct OrderNotFound: Error, Equatable, CustomStringConvertible {
        public var id: String
        public init(id: String) { self.id = id }
        public var description: String { "no order \(id)" }
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
            arguments: [deviceId, startOfDay(now)]) ?? 0
    }

    static func orders(_ db: Database, customerId: String, since date: Date) throws -> [OrderRecord] {
        try OrderRecord
            .filter(OrderRecord.Columns.customerId == customerId && OrderRecord.Columns.createdAt >= date
                && ![OrderStatus.cancelled, .refundFailed].contains(OrderRecord.Columns.status))
            .order(OrderRecord.Columns.createdAt.desc).fetchAll(db)
    }

    /// Refuses a placement for a revoked device or customer (rows that do not exist, as for
    /// staff orders, are not checked).
    static func checkNotRevoked(_ db: Database, deviceId: String, customerId: String) throws {
        let revoked = try Bool.fetchOne(
            db,
            sql: """
                SELECT EXISTS (SELECT 1 FROM device WHERE id = ? AND revokedAt IS NOT NULL)
                    OR EXISTS (SELECT 1 FROM customer WHERE id = ? AND revokedAt IS NOT NULL)
                """,
            arguments: [deviceId, customerId]) ?? false
        if revoked { throw Refusal.revoked }
    }

    /// Refuses a claim on a cart version that is no longer the conversation's current one.
    static func checkCurrent(_ db: Database, _ claim: CartClaim) throws {
        let current = try Int.fetchOne(db, sql: "SELECT cartVersion FROM conversation WHERE id = ?", arguments: [claim.conversationId])
        guard current != claim.version else { return }
        let placed = try String.fetchOne(
            db, sql: "SELECT id FROM \"order\" WHERE conversationId = ? AND cartVersion = ?", arguments: [claim.conversationId, claim.version])
        throw placed.map { Refusal.alreadyPlaced(orderId: $0) } ?? Refusal.cartChanged
    }

    /// Whether these exact utterance samples already led to an order (a replayed stream).
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

    public func hasFingerprint(_ fingerprint: String) throws -> Bool {
        try database.writer.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM utteranceFingerprint WHERE fingerprint = ?)", arguments: [fingerprint])
                ?? false
        }
    }

    public static func lines(of order: OrderRecord) throws -> [Cart.Line] {
        try JSONDecoder().decode([Cart.Line].self, from: Data(order.linesJSON.utf8))
    }
}
