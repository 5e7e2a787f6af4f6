import Foundation

/// Where conversations (their dialog state and cart) and session records are kept: the SQLite
/// database (`SQLiteConversationStorage`) or PostgreSQL (`PostgresConversationStorage`), so a conversation resumes on
/// any node. A cart is saved only over the version it was read at, so two sessions (on any
/// nodes) changing it at once cannot both win.
public protocol ConversationStorage: Sendable {
    func conversation(resuming conversationId: String?, customerId: String, initialState: String) async throws -> ConversationRecord
    func save(conversationId: String, state: String) async throws
    func cart(conversationId: String) async throws -> (json: String?, version: Int)?
    func saveCart(conversationId: String, json: String?, replacing version: Int) async throws -> Int?
    func open(deviceId: String, channel: String) async throws -> SessionRecord
    func attach(sessionId: String, conversationId: String) async throws
    func close(sessionId: String, reason: String, utterances: Int, audioSeconds: Double) async throws
    func session(id: String) async throws -> SessionRecord?
    func openSessions() async throws -> [SessionRecord]
}
