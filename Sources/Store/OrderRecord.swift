import Commerce
import Foundation
import GRDB

/// A placed order as stored: a business record, kept after audio and transcripts expire.
public struct OrderRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "order"

    public var id: String
    public var customerId: String
    public var deviceId: String
    public var status: OrderStatus
    public var totalMinorUnits: Int
    public var currency: String
    /// The cart lines as JSON, exactly as confirmed.
    public var linesJSON: String
    /// One key per confirmed checkout: a retried or replayed request finds the same order.
    public var idempotencyKey: String
    public var createdAt: Date
    public var updatedAt: Date
    public var paymentMethodId: String?
    public var addressId: String?
    public var trackingNumber: String?
    /// The payment provider's capture, for refunds.
    public var captureId: String?
    /// The conversation whose cart this order consumed, and that cart's version: at most one
    /// order per version (a unique index). Nil for orders placed by staff.
    public var conversationId: String?
    public var cartVersion: Int?

    public var total: Money { Money(minorUnits: totalMinorUnits, currency: currency) }

    /// For the PostgreSQL store, which reads the columns one by one.
    package init(
        id: String, customerId: String, deviceId: String, status: OrderStatus, totalMinorUnits: Int, currency: String, linesJSON: String,
        idempotencyKey: String, createdAt: Date, updatedAt: Date, paymentMethodId: String?, addressId: String?, trackingNumber: String?,
        captureId: String?, conversationId: String?, cartVersion: Int?
    ) {
        self.id = id
        self.customerId = customerId
        self.deviceId = deviceId
        self.status = status
        self.totalMinorUnits = totalMinorUnits
        self.currency = currency
        self.linesJSON = linesJSON
        self.idempotencyKey = idempotencyKey
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.paymentMethodId = paymentMethodId
        self.addressId = addressId
        self.trackingNumber = trackingNumber
        self.captureId = captureId
        self.conversationId = conversationId
        self.cartVersion = cartVersion
    }
}

/// One change of an order's status, with who caused it.
public struct OrderEvent: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var orderId: String
    public var status: OrderStatus
    public var note: String?
    public var source: String
    public var createdAt: Date

    package init(id: Int64?, orderId: String, status: OrderStatus, note: String?, source: String, createdAt: Date) {
        self.id = id
        self.orderId = orderId
        self.status = status
        self.note = note
        self.source = source
        self.createdAt = createdAt
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// One call to the payment provider and its outcome.
public struct PaymentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "payment"

    public var id: String
    public var orderId: String
    public var kind: PaymentKind
    public var amountMinorUnits: Int
    public var currency: String
    public var providerReference: String?
    /// "succeeded", or the provider's error code.
    public var outcome: String
    public var createdAt: Date

    public init(
        id: String, orderId: String, kind: PaymentKind, amountMinorUnits: Int, currency: String, providerReference: String?, outcome: String,
        createdAt: Date
    ) {
        self.id = id
        self.orderId = orderId
        self.kind = kind
        self.amountMinorUnits = amountMinorUnits
        self.currency = currency
        self.providerReference = providerReference
        self.outcome = outcome
        self.createdAt = createdAt
    }
}

/// What a payment call did.
public enum PaymentKind: String, Sendable, Codable, CustomStringConvertible {
    case authorize, capture, refund

    public var description: String { rawValue }
}

// Stored as their raw values: the columns hold "out_for_delivery", "capture".
extension OrderStatus: DatabaseValueConvertible {}
extension PaymentKind: DatabaseValueConvertible {}

extension OrderRecord {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let createdAt = Column(CodingKeys.createdAt)
        static let customerId = Column(CodingKeys.customerId)
        static let id = Column(CodingKeys.id)
        static let idempotencyKey = Column(CodingKeys.idempotencyKey)
        static let status = Column(CodingKeys.status)
    }
}

extension OrderEvent {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let id = Column(CodingKeys.id)
        static let orderId = Column(CodingKeys.orderId)
    }
}

extension PaymentRecord {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let createdAt = Column(CodingKeys.createdAt)
        static let orderId = Column(CodingKeys.orderId)
    }
}
