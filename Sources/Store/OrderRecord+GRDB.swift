import Commerce
import GRDB

// The order records (Commerce) as rows of the SQLite tables "order", "orderEvent" and "payment".
extension OrderRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "order"
}

extension OrderEvent: FetchableRecord, MutablePersistableRecord {
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension PaymentRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "payment"
}

// Stored as their raw values: the columns hold "out_for_delivery", "capture".
extension OrderStatus: DatabaseValueConvertible {}
extension PaymentKind: DatabaseValueConvertible {}

extension OrderRecord {
    /// The columns queries filter and sort by.
    public enum Columns {
        static let createdAt = Column("createdAt")
        static let customerId = Column("customerId")
        static let id = Column("id")
        static let idempotencyKey = Column("idempotencyKey")
        static let status = Column("status")
    }
}

extension OrderEvent {
    /// The columns queries filter and sort by.
    public enum Columns {
        static let id = Column("id")
        static let orderId = Column("orderId")
    }
}

extension PaymentRecord {
    /// The columns queries filter and sort by.
    public enum Columns {
        static let createdAt = Column("createdAt")
        static let orderId = Column("orderId")
    }
}
