import Foundation
import Synchronization

/// Where the try page's short-lived web session tokens are kept (by their SHA-256): in one
/// node's memory (`MemoryWebGrants`), or in PostgreSQL (`PostgresWebGrants`) so a token one
/// node gave opens a session on any node behind the proxy.
public protocol WebGrants: Sendable {
    /// Records a token for the device until `expiresAt`; false when `maxLive` unexpired tokens
    /// exist already (an open demo endpoint must not fill the memory or the table).
    func add(tokenHash: String, deviceId: String, expiresAt: Date, now: Date, maxLive: Int) async throws -> Bool
    /// The device an unexpired token opens.
    func deviceId(forTokenHash tokenHash: String, now: Date) async throws -> String?
    /// Ends a token; false when it was not live.
    func remove(tokenHash: String) async throws -> Bool
    /// Tokens ended since `date` (hashes), so every node closes the sessions they opened.
    func revoked(since date: Date) async throws -> [String]
}
