import Foundation
import GRDB

/// One turn of a conversation: what was heard (never a PIN) and what came of it.
public struct Turn: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public var id: Int64?
    public var conversationId: String
    public var sessionId: String
    public var transcript: String?
    public var intent: String?
    public var confidence: Double?
    /// accepted, rejected:<reason>, replayed, redacted …
    public var outcome: String
    public var createdAt: Date

    public init(conversationId: String, sessionId: String, transcript: String?, intent: String?, confidence: Double?, outcome: String) {
        self.conversationId = conversationId
        self.sessionId = sessionId
        self.transcript = transcript
        self.intent = intent
        self.confidence = confidence
        self.outcome = outcome
        createdAt = Date()
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
