import Foundation

/// One turn of a conversation: what was heard (never a PIN) and what came of it. The words
/// are sealed with the customer's key (`sealedTranscript`); `transcript` is only filled on
/// reading, or on turns stored before encryption existed.
public struct Turn: Codable, Sendable, Equatable {
    public var id: Int64?
    public var conversationId: String
    public var sessionId: String
    public var customerId: String?
    public var deviceClass: String?
    /// The order this turn led to, until the turn expires (the order itself is kept).
    public var orderId: String?
    public var transcript: String?
    public var sealedTranscript: Data?
    public var intent: String?
    public var confidence: Double?
    /// accepted, rejected:<reason>, replayed, redacted …
    public var outcome: String
    public var createdAt: Date

    public init(
        conversationId: String, sessionId: String, customerId: String? = nil, deviceClass: String? = nil, transcript: String?,
        intent: String?, confidence: Double?, outcome: String, createdAt: Date = Date()
    ) {
        self.conversationId = conversationId
        self.sessionId = sessionId
        self.customerId = customerId
        self.deviceClass = deviceClass
        self.transcript = transcript
        self.intent = intent
        self.confidence = confidence
        self.outcome = outcome
        self.createdAt = createdAt
    }

}
