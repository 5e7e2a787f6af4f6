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

/// The tokens of one node, in its memory (a restart ends them; the page simply asks again).
public final class MemoryWebGrants: WebGrants {
    private let grants = Mutex<[String: (deviceId: String, expiresAt: Date)]>([:])
    /// Ended tokens and when, for `revoked(since:)`; kept for ten minutes.
    private let ended = Mutex<[(tokenHash: String, at: Date)]>([])

    public init() {}

    public func add(tokenHash: String, deviceId: String, expiresAt: Date, now: Date, maxLive: Int) -> Bool {
        grants.withLock { grants in
            grants = grants.filter { $0.value.expiresAt > now }
            guard grants.count < maxLive else { return false }
            grants[tokenHash] = (deviceId, expiresAt)
            return true
        }
    }

    public func deviceId(forTokenHash tokenHash: String, now: Date) -> String? {
        grants.withLock { $0[tokenHash] }.flatMap { $0.expiresAt > now ? $0.deviceId : nil }
    }

    public func remove(tokenHash: String) -> Bool {
        guard grants.withLock({ $0.removeValue(forKey: tokenHash) }) != nil else { return false }
        let now = Date()
        ended.withLock { ended in
            ended.removeAll { $0.at < now.addingTimeInterval(-600) }
            ended.append((tokenHash, now))
        }
        return true
    }

    public func revoked(since date: Date) -> [String] {
        ended.withLock { $0.filter { $0.at >= date }.map(\.tokenHash) }
    }
}
