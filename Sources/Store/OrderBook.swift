import Commerce
import Foundation
import GRDB

/// Places, changes and reads orders.
///
/// Placing is one transaction: the stock is taken, the order and its first event are written
/// and its idempotency key claimed together, so a retry returns the order already placed,
/// concurrent duplicates create exactly one, and a crash leaves either all of it or none.
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

        public init(
            customerId: String, deviceId: String, lines: [Cart.Line], total: Money, paymentMethodId: String? = nil,
            addressId: String? = nil, idempotencyKey: String, source: String, fingerprints: [String] = []
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
        }
    }

    /// Returns the order for this idempotency key, placing it if it is new. Throws
    /// `CommerceError.outOfStock` (changing nothing) when a product ran out meanwhile.
    public func place(_ placement: Placement, at now: Date = Date()) throws -> (order: OrderRecord, isNew: Bool) {
        try database.writer.write { db in
            if let existing = try OrderRecord.filter(Column("idempotencyKey") == placement.idempotencyKey).fetchOne(db) {
                return (existing, false)
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
            let order = OrderRecord(
                id: UUID().uuidString.lowercased(), customerId: placement.customerId, deviceId: placement.deviceId,
                status: OrderStatus.placed.rawValue, totalMinorUnits: placement.total.minorUnits, currency: placement.total.currency,
                linesJSON: String(decoding: try JSONEncoder().encode(placement.lines), as: UTF8.self),
                idempotencyKey: placement.idempotencyKey, createdAt: now, updatedAt: now, paymentMethodId: placement.paymentMethodId,
                addressId: placement.addressId, trackingNumber: nil, captureId: nil)
            try order.insert(db)
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
            let current = OrderStatus(rawValue: order.status) ?? .placed
            if let expected, current != expected { throw CommerceError.illegalTransition(from: current, to: status) }
            _ = try current.transition(to: status)
            order.status = status.rawValue
            order.updatedAt = now
            try order.update(db)
            var event = OrderEvent(id: nil, orderId: orderId, status: status.rawValue, note: note, source: source, createdAt: now)
            try event.insert(db)
            if status == .cancelled {
                for line in try Self.lines(of: order) {
                    try db.execute(sql: "UPDATE product SET stock = stock + ? WHERE id = ?", arguments: [line.quantity, line.productId])
                }
            }
            return order
        }
    }

    public struct OrderNotFound: Error, Equatable, CustomStringConvertible {
        public var id: String
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
            let found = try OrderRecord.filter(Column("id").like("\(prefix)%")).limit(2).fetchAll(db)
            return found.count == 1 ? found[0] : nil
        }
    }

    public func orders(customerId: String) throws -> [OrderRecord] {
        try database.writer.read { db in
            try OrderRecord.filter(Column("customerId") == customerId).order(Column("createdAt").desc).fetchAll(db)
        }
    }

    public func all(status: OrderStatus? = nil, limit: Int = 1_000) throws -> [OrderRecord] {
        try database.writer.read { db in
            var request = OrderRecord.order(Column("createdAt").desc).limit(limit)
            if let status { request = request.filter(Column("status") == status.rawValue) }
            return try request.fetchAll(db)
        }
    }

    public func events(orderId: String) throws -> [OrderEvent] {
        try database.writer.read { db in try OrderEvent.filter(Column("orderId") == orderId).order(Column("id")).fetchAll(db) }
    }

    public func payments(orderId: String) throws -> [PaymentRecord] {
        try database.writer.read { db in try PaymentRecord.filter(Column("orderId") == orderId).order(Column("createdAt")).fetchAll(db) }
    }

    /// Events after `id`, oldest first, each with its order (for pushing updates to sessions).
    public func events(after id: Int64, limit: Int = 500) throws -> [(event: OrderEvent, order: OrderRecord)] {
        try database.writer.read { db in
            let events = try OrderEvent.filter(Column("id") > id).order(Column("id")).limit(limit).fetchAll(db)
            return try events.compactMap { event in try OrderRecord.fetchOne(db, key: event.orderId).map { (event, $0) } }
        }
    }

    public func lastEventId() throws -> Int64 {
        try database.writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM orderEvent") ?? 0 }
    }

    /// What a device has spent since midnight UTC on orders not cancelled or refunded.
    public func spentToday(deviceId: String, at now: Date = Date()) throws -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let midnight = calendar.startOfDay(for: now)
        return try database.writer.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(totalMinorUnits), 0) FROM "order"
                    WHERE deviceId = ? AND createdAt >= ? AND status NOT IN ('cancelled', 'refunded')
                    """,
                arguments: [deviceId, midnight]) ?? 0
        }
    }

    /// The customer's orders since `date`, newest first, not counting cancelled ones.
    public func orders(customerId: String, since date: Date) throws -> [OrderRecord] {
        try database.writer.read { db in
            try OrderRecord.filter(Column("customerId") == customerId && Column("createdAt") >= date && Column("status") != "cancelled")
                .order(Column("createdAt").desc).fetchAll(db)
        }
    }

    /// Whether these exact utterance samples already led to an order (a replayed stream).
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
