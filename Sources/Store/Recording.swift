import Foundation

/// One utterance's audio: an Ogg Opus file sealed with the customer's key, kept in the
/// recording directory as `<id>.opus.sealed`; this row links it to its turn and order.
public struct Recording: Codable, Sendable, Equatable {
    public var id: String
    public var turnId: Int64?
    public var customerId: String
    public var deviceId: String
    public var deviceClass: String
    public var sessionId: String
    /// The order it led to, until the recording expires.
    public var orderId: String?
    /// Size of the Ogg Opus data before sealing.
    public var byteCount: Int
    public var durationSeconds: Double
    public var createdAt: Date

    public init(
        id: String, turnId: Int64?, customerId: String, deviceId: String, deviceClass: String, sessionId: String, orderId: String?,
        byteCount: Int, durationSeconds: Double, createdAt: Date
    ) {
        self.id = id
        self.turnId = turnId
        self.customerId = customerId
        self.deviceId = deviceId
        self.deviceClass = deviceClass
        self.sessionId = sessionId
        self.orderId = orderId
        self.byteCount = byteCount
        self.durationSeconds = durationSeconds
        self.createdAt = createdAt
    }
}
