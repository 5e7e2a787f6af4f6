import Foundation
import GRDB

/// A placed order as stored: a business record, kept after audio and transcripts expire.
public struct OrderRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "order"

    public var id: String
    public var customerId: String
    public var deviceId: String
    public var status: String
    public var totalMinorUnits: Int
    public var currency: String
    /// The cart lines as JSON, exactly as confirmed.
    public var linesJSON: String
    /// One key per confirmed checkout: a retried or replayed request finds the same order.
    public var idempotencyKey: String
    public var createdAt: Date
    public var updatedAt: Date
}

/// Places and reads orders. Placing is one transaction keyed by an idempotency key, so a
/// retry returns the order already placed and concurrent duplicates create exactly one.
public struct OrderBook: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    public struct Placement: Sendable {
        public var customerId: String
        public var deviceId: String
        public var totalMinorUnits: Int
        public var currency: String
        public var linesJSON: String
        public var idempotencyKey: String

        public init(customerId: String, deviceId: String, totalMinorUnits: Int, currency: String, linesJSON: String, idempotencyKey: String) {
            self.customerId = customerId
            self.deviceId = deviceId
            self.totalMinorUnits = totalMinorUnits
            self.currency = currency
            self.linesJSON = linesJSON
            self.idempotencyKey = idempotencyKey
        }
    }

    /// Returns the order for this idempotency key, placing it if it is new.
    public func place(_ placement: Placement) throws -> (order: OrderRecord, isNew: Bool) {
        try database.writer.write { db in
            if let existing = try OrderRecord.filter(Column("idempotencyKey") == placement.idempotencyKey).fetchOne(db) {
                return (existing, false)
            }
            let now = Date()
            let order = OrderRecord(
                id: UUID().uuidString.lowercased(), customerId: placement.customerId, deviceId: placement.deviceId,
                status: "placed", totalMinorUnits: placement.totalMinorUnits, currency: placement.currency,
                linesJSON: placement.linesJSON, idempotencyKey: placement.idempotencyKey, createdAt: now, updatedAt: now)
            try order.insert(db)
            return (order, true)
        }
    }

    public func orders(customerId: String) throws -> [OrderRecord] {
        try database.writer.read { db in
            try OrderRecord.filter(Column("customerId") == customerId).order(Column("createdAt").desc).fetchAll(db)
        }
    }

    public func all() throws -> [OrderRecord] {
        try database.writer.read { db in try OrderRecord.order(Column("createdAt").desc).fetchAll(db) }
    }
}
