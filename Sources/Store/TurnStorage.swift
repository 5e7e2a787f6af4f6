import Foundation

/// Where a server stores the turns it hears: `SQLiteTurnStorage` (SQLite and sealed files in the
/// data directory) or `PostgresTurnStorage` (PostgreSQL, shared by every node).
public protocol TurnStorage: Sendable {
    /// Stores the turn (its transcript sealed, never in clear) and its audio, if given.
    @discardableResult
    func record(_ turn: Turn, audio: TurnAudio?) async throws -> Turn
    /// Links the session's turns not linked yet (those since its last order) to the order.
    func link(sessionId: String, toOrder orderId: String) async throws
    /// The customer's turns, oldest first, with their transcripts opened.
    func turns(customerId: String) async throws -> [Turn]
}
