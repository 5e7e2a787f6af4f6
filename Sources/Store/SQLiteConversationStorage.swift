import Foundation
import GRDB

/// Opens and closes session records and finds or resumes conversations, in SQLite.
public struct SQLiteConversationStorage: ConversationStorage {

    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Resumes `conversationId` if it belongs to the customer, or starts a new conversation.
    public func conversation(resuming conversationId: String?, customerId: String, initialState: String) throws -> ConversationRecord {
        try database.writer.write { db in
            if let conversationId {
                guard let existing = try ConversationRecord.fetchOne(db, key: conversationId), existing.customerId == customerId else {
                    throw ConversationResumeError.unknownConversation
                }
                return existing
            }
            let conversation = ConversationRecord.new(customerId: customerId, state: initialState)
            try conversation.insert(db)
            return conversation
        }
    }

    /// Saves the dialog state the conversation is in.
    public func save(conversationId: String, state: String) throws {
        try database.writer.write { db in
            try db.execute(
                sql: "UPDATE conversation SET dialogState = ?, updatedAt = ? WHERE id = ?", arguments: [state, Date(), conversationId])
        }
    }

    /// The conversation's cart as stored (JSON, nil when empty) and its version.
    public func cart(conversationId: String) throws -> (json: String?, version: Int)? {
        try database.writer.read { db in
            try Row.fetchOne(db, sql: "SELECT cartJSON, cartVersion FROM conversation WHERE id = ?", arguments: [conversationId])
                .map { (json: $0["cartJSON"], version: $0["cartVersion"]) }
        }
    }

    /// Replaces the cart if it is still at `version` and returns the new version; nil when
    /// another session changed it first (nothing is written then).
    public func saveCart(conversationId: String, json: String?, replacing version: Int) throws -> Int? {
        try database.writer.write { db in
            try db.execute(
                sql: "UPDATE conversation SET cartJSON = ?, cartVersion = cartVersion + 1, updatedAt = ? WHERE id = ? AND cartVersion = ?",
                arguments: [json, Date(), conversationId, version])
            return db.changesCount == 1 ? version + 1 : nil
        }
    }

    public func open(deviceId: String, channel: String) throws -> SessionRecord {
        let session = SessionRecord.new(deviceId: deviceId, channel: channel)
        try database.writer.write { db in try session.insert(db) }
        return session
    }

    public func attach(sessionId: String, conversationId: String) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE session SET conversationId = ? WHERE id = ?", arguments: [conversationId, sessionId])
        }
    }

    public func close(sessionId: String, reason: String, utterances: Int, audioSeconds: Double) throws {
        try database.writer.write { db in
            try db.execute(
                sql: "UPDATE session SET endedAt = ?, endReason = ?, utterances = ?, audioSeconds = ? WHERE id = ?",
                arguments: [Date(), reason, utterances, audioSeconds, sessionId])
        }
    }

    public func session(id: String) throws -> SessionRecord? {
        try database.writer.read { db in try SessionRecord.fetchOne(db, key: id) }
    }

    /// Sessions still open (for shutdown and leak checks).
    public func openSessions() throws -> [SessionRecord] {
        try database.writer.read { db in try SessionRecord.filter(SessionRecord.Columns.endedAt == nil).fetchAll(db) }
    }
}

extension ConversationRecord {
    /// A new conversation, not yet stored.
    public static func new(customerId: String, state: String, at now: Date = Date()) -> ConversationRecord {
        ConversationRecord(id: UUID().uuidString.lowercased(), customerId: customerId, dialogState: state, cartJSON: nil, createdAt: now, updatedAt: now)
    }
}

extension SessionRecord {
    /// A new session of a device, not yet stored.
    public static func new(deviceId: String, channel: String, at now: Date = Date()) -> SessionRecord {
        SessionRecord(
            id: UUID().uuidString.lowercased(), deviceId: deviceId, conversationId: nil, channel: channel, startedAt: now, endedAt: nil,
            endReason: nil, utterances: 0, audioSeconds: 0)
    }
}
