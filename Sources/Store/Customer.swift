import Foundation
import GRDB

/// A shop's customer. The PIN is stored only as a salted PBKDF2 hash.
public struct Customer: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var id: String
    public var name: String
    public var pinHash: String?
    public var pinSalt: String?
    /// Every order by this customer needs the PIN, whatever the device.
    public var pinRequired: Bool
    /// Wrong PINs since the last right one; at the limit, PIN entry locks.
    public var pinFailures: Int
    public var pinLockedUntil: Date?
    /// A pinned "usual" order (cart lines as JSON); nil: the most frequent order.
    public var usualLinesJSON: String?
    public var createdAt: Date
    /// Whether this customer's utterance audio may be stored (transcripts are kept either way).
    public var audioConsent: Bool = true
    /// The phone number a caller is recognised by (E.164), if any.
    public var phone: String?
    /// Set when the customer's access was revoked: none of their devices may open a session
    /// or place an order from then on.
    public var revokedAt: Date?

    public var hasPIN: Bool { pinHash != nil }
}

/// A saved payment method: the provider's token (e.g. Stripe's `pm_…`), never a card number.
public struct PaymentMethod: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var id: String
    public var customerId: String
    public var token: String
    /// What the customer hears: "Visa ending 4242".
    public var label: String
    public var isDefault: Bool
    public var createdAt: Date
}

/// A saved delivery address.
public struct Address: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var id: String
    public var customerId: String
    public var text: String
    public var isDefault: Bool
    public var createdAt: Date
}

extension Customer {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let createdAt = Column(CodingKeys.createdAt)
        static let phone = Column(CodingKeys.phone)
    }
}

extension PaymentMethod {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let createdAt = Column(CodingKeys.createdAt)
        static let customerId = Column(CodingKeys.customerId)
        static let isDefault = Column(CodingKeys.isDefault)
    }
}

extension Address {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let createdAt = Column(CodingKeys.createdAt)
        static let customerId = Column(CodingKeys.customerId)
        static let isDefault = Column(CodingKeys.isDefault)
    }
}

extension Customer {
    /// For the PostgreSQL store, which reads the columns one by one.
    package init(
        id: String, name: String, pinHash: String?, pinSalt: String?, pinRequired: Bool, pinFailures: Int, pinLockedUntil: Date?,
        usualLinesJSON: String?, createdAt: Date, audioConsent: Bool, phone: String?, revoked revokedAt: Date?
    ) {
        self.id = id
        self.name = name
        self.pinHash = pinHash
        self.pinSalt = pinSalt
        self.pinRequired = pinRequired
        self.pinFailures = pinFailures
        self.pinLockedUntil = pinLockedUntil
        self.usualLinesJSON = usualLinesJSON
        self.createdAt = createdAt
        self.audioConsent = audioConsent
        self.phone = phone
        self.revokedAt = revokedAt
    }
}

extension PaymentMethod {
    package init(id: String, customerId: String, token: String, label: String, isDefault: Bool, at createdAt: Date) {
        self.init(id: id, customerId: customerId, token: token, label: label, isDefault: isDefault, createdAt: createdAt)
    }
}

extension Address {
    package init(id: String, customerId: String, text: String, isDefault: Bool, at createdAt: Date) {
        self.init(id: id, customerId: customerId, text: text, isDefault: isDefault, createdAt: createdAt)
    }
}
