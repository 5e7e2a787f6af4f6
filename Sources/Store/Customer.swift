import Foundation

/// A shop's customer. The PIN is stored only as a salted PBKDF2 hash.
public struct Customer: Codable, Sendable, Equatable {
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
