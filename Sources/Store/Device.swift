import Foundation

/// A registered speaker, phone bridge or web client, authenticated by a bearer token of which
/// only the SHA-256 hash is stored.
public struct Device: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var customerId: String
    public var tokenHash: String
    public var createdAt: Date
    public var revokedAt: Date?
    /// Every order from this device needs the customer's spoken PIN.
    public var pinRequired: Bool = false
    /// This device's own daily spending limit in minor units (nil: the configured default).
    public var dailySpendLimitMinorUnits: Int?
    /// speaker, phone or web: the retention policy can keep each class's data differently.
    public var deviceClass: String = "speaker"

    public var isRevoked: Bool { revokedAt != nil }

    /// The class of a phone bridge's line: the only devices that may open `/v1/twilio` or
    /// `/v1/phone` and act for the caller.
    public static let phoneLineClass = "phone"

    public init(
        id: String, name: String, customerId: String, tokenHash: String, createdAt: Date, revokedAt: Date?, pinRequired: Bool = false,
        dailySpendLimitMinorUnits: Int? = nil, deviceClass: String = "speaker"
    ) {
        self.id = id
        self.name = name
        self.customerId = customerId
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.pinRequired = pinRequired
        self.dailySpendLimitMinorUnits = dailySpendLimitMinorUnits
        self.deviceClass = deviceClass
    }
}
