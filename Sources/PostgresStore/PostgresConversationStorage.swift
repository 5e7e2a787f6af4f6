import Foundation
import Logging
import PostgresNIO
import Store

/// Conversations and session records in PostgreSQL: a conversation started on one node resumes
/// on any other with its dialog state and cart. A cart is saved only over the version it was
/// read at (one `UPDATE … WHERE "cartVersion" = …`), so two sessions on different nodes
/// changing it at once cannot both win.
public struct PostgresConversationStorage: ConversationStorage {
    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    public func conversation(resuming conversationId: String?, customerId: String, initialState: String) async throws -> ConversationRecord {
        if let conversationId {
            guard let existing = try await conversations(where: #""id" = $1"#, conversationId).first, existing.customerId == customerId else {
                throw ConversationResumeError.unknownConversation
            }
            return existing
        }
        let conversation = ConversationRecord.new(customerId: customerId, state: initialState)
        try await database.withConnection { connection, logger in
            try await connection.query(
                """
                INSERT INTO "conversation" ("id", "customerId", "dialogState", "cartJSON", "createdAt", "updatedAt", "cartVersion")
                VALUES (\(conversation.id), \(conversation.customerId), \(conversation.dialogState), \(conversation.cartJSON),
                        \(conversation.createdAt), \(conversation.updatedAt), \(conversation.cartVersion))
                """, logger: logger)
        }
        return conversation
    }

    public func save(conversationId: String, state: String) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"UPDATE "conversation" SET "dialogState" = \#(state), "updatedAt" = \#(Date()) WHERE "id" = \#(conversationId)"#, logger: logger)
        }
    }

    public func cart(conversationId: String) async throws -> (json: String?, version: Int)? {
        try await conversations(where: #""id" = $1"#, conversationId).first.map { (json: $0.cartJSON, version: $0.cartVersion) }
    }

    public func saveCart(conversationId: String, json: String?, replacing version: Int) async throws -> Int? {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"""
                UPDATE "conversation" SET "cartJSON" = \#(json), "cartVersion" = "cartVersion" + 1, "updatedAt" = \#(Date())
                WHERE "id" = \#(conversationId) AND "cartVersion" = \#(version) RETURNING "cartVersion"
                """#, logger: logger)
            var saved: Int?
            for try await newVersion in rows.decode(Int.self) { saved = newVersion }
            return saved
        }
    }

    public func open(deviceId: String, channel: String) async throws -> SessionRecord {
        let session = SessionRecord.new(deviceId: deviceId, channel: channel)
        try await database.withConnection { connection, logger in
            try await connection.query(
                """
                INSERT INTO "session" ("id", "deviceId", "conversationId", "channel", "startedAt", "endedAt", "endReason", "utterances", "audioSeconds")
                VALUES (\(session.id), \(session.deviceId), \(session.conversationId), \(session.channel), \(session.startedAt),
                        \(session.endedAt), \(session.endReason), \(session.utterances), \(session.audioSeconds))
                """, logger: logger)
        }
        return session
    }

    public func attach(sessionId: String, conversationId: String) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(#"UPDATE "session" SET "conversationId" = \#(conversationId) WHERE "id" = \#(sessionId)"#, logger: logger)
        }
    }

    public func close(sessionId: String, reason: String, utterances: Int, audioSeconds: Double) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"""
                UPDATE "session" SET "endedAt" = \#(Date()), "endReason" = \#(reason), "utterances" = \#(utterances), "audioSeconds" = \#(audioSeconds)
                WHERE "id" = \#(sessionId)
                """#, logger: logger)
        }
    }

    public func session(id: String) async throws -> SessionRecord? {
        try await sessions(where: #""id" = $1"#, id).first
    }

    public func openSessions() async throws -> [SessionRecord] {
        try await sessions(where: #""endedAt" IS NULL"#)
    }

    private func conversations(where condition: String, _ value: String) async throws -> [ConversationRecord] {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                .selecting(
                    #"SELECT "id", "customerId", "dialogState", "cartJSON", "createdAt", "updatedAt", "cartVersion" FROM "conversation" WHERE "#
                        + condition, [value]), logger: logger)
            var found: [ConversationRecord] = []
            for try await (id, customerId, state, cart, created, updated, version) in rows.decode((String, String, String, String?, Date, Date, Int).self) {
                found.append(ConversationRecord(
                    id: id, customerId: customerId, dialogState: state, cartJSON: cart, createdAt: created, updatedAt: updated, cartVersion: version))
            }
            return found
        }
    }

    private func sessions(where condition: String, _ value: String? = nil) async throws -> [SessionRecord] {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                .selecting(
                    #"""
                    SELECT "id", "deviceId", "conversationId", "channel", "startedAt", "endedAt", "endReason", "utterances", "audioSeconds"
                    FROM "session" WHERE \#(condition) ORDER BY "startedAt", "id"
                    """#, value.map { [$0] } ?? []), logger: logger)
            var found: [SessionRecord] = []
            for try await (id, deviceId, conversationId, channel, started, ended, reason, utterances, seconds) in rows.decode(
                (String, String, String?, String, Date, Date?, String?, Int, Double).self)
            {
                found.append(SessionRecord(
                    id: id, deviceId: deviceId, conversationId: conversationId, channel: channel, startedAt: started, endedAt: ended,
                    endReason: reason, utterances: utterances, audioSeconds: seconds))
            }
            return found
        }
    }
}
