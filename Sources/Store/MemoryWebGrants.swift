import Foundation
import Synchronization

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
