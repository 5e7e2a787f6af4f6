import Foundation

/// A placed order as stored: a business record, kept after audio and transcripts expire.
public struct OrderRecord: Codable, Sendable, Equatable {
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

    public init(
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
public struct OrderEvent: Codable, Sendable, Equatable {
    public var id: Int64?
    public var orderId: String
    public var status: OrderStatus
    public var note: String?
    public var source: String
    public var createdAt: Date

    public init(id: Int64?, orderId: String, status: OrderStatus, note: String?, source: String, createdAt: Date) {
        self.id = id
        self.orderId = orderId
        self.status = status
        self.note = note
        self.source = source
        self.createdAt = createdAt
    }
}

/// One call to the payment provider and its outcome.
public struct PaymentRecord: Codable, Sendable, Equatable {
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

extension OrderRecord {
    /// The cart lines exactly as confirmed.
    public func lines() throws -> [Cart.Line] {
        try JSONDecoder().decode([Cart.Line].self, from: Data(linesJSON.utf8))
    }
}
