import Commerce
import Foundation
import Store

/// One session's view of its conversation's cart, which every session of the conversation
/// (a speaker, the web page, a phone call resuming it) shares through the store. It knows the
/// version the session's cart came from: a turn starts from the stored cart if another session
/// changed it, a turn's change is saved only if nobody changed it meanwhile, and a read-back
/// confirms exactly this version (`CartClaim`).
struct SharedCart {
    let conversationId: String
    let sessions: any ConversationStorage
    /// The stored version the session's cart corresponds to.
    private(set) var version: Int
    /// The lines stored at `version`.
    private(set) var lines: [Cart.Line]

    init(conversation: ConversationRecord, sessions: any ConversationStorage) throws {
        conversationId = conversation.id
        self.sessions = sessions
        version = conversation.cartVersion
        lines = try Self.lines(conversation.cartJSON)
    }

    var claim: CartClaim { .init(conversationId: conversationId, version: version) }

    /// Reads the stored cart; returns its lines if another session changed it since this
    /// session last looked, nil if not.
    mutating func refresh() async throws -> [Cart.Line]? {
        guard let stored = try await sessions.cart(conversationId: conversationId), stored.version != version else { return nil }
        version = stored.version
        lines = try Self.lines(stored.json)
        return lines
    }

    /// Stores `cart` as the conversation's cart if it differs from the stored one. False when
    /// another session changed the cart first: nothing is written, and `refresh()` then gives
    /// the cart to continue from.
    mutating func save(_ cart: [Cart.Line]) async throws -> Bool {
        guard cart != lines else { return true }
        let json = cart.isEmpty ? nil : String(decoding: try JSONEncoder().encode(cart), as: UTF8.self)
        guard let saved = try await sessions.saveCart(conversationId: conversationId, json: json, replacing: version) else { return false }
        version = saved
        lines = cart
        return true
    }

    private static func lines(_ json: String?) throws -> [Cart.Line] {
        guard let json else { return [] }
        return try JSONDecoder().decode([Cart.Line].self, from: Data(json.utf8))
    }
}
