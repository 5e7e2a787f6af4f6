import Foundation
import Synchronization

/// How many live web session tokens one client address may hold at once, so that one client
/// cannot take every token of the open demo endpoint and lock everyone else out. Kept in each
/// node's memory: behind a load balancer a client may hold this many per node.
final class ClientAllowance: Sendable {
    private let perClient: Int
    /// Per client address, the expiry of each token it holds.
    private let held = Mutex<[String: [Date]]>([:])
    /// Clients remembered at most; past this, those whose tokens have all expired are forgotten.
    static let maxClients = 50_000

    init(perClient: Int) { self.perClient = perClient }

    /// Takes one token until `expiresAt` for `client`; false when it holds its share already.
    func take(client: String, now: Date, until expiresAt: Date) -> Bool {
        held.withLock { held in
            if held.count >= Self.maxClients { held = held.filter { $0.value.contains { $0 > now } } }
            var live = held[client, default: []].filter { $0 > now }
            guard live.count < perClient else {
                held[client] = live
                return false
            }
            live.append(expiresAt)
            held[client] = live
            return true
        }
    }

    /// Gives back a token taken a moment ago that was then not issued.
    func giveBack(client: String, expiresAt: Date) {
        held.withLock { held in
            guard let index = held[client]?.firstIndex(of: expiresAt) else { return }
            held[client]?.remove(at: index)
        }
    }

    /// The client behind a request: the peer, or, when the peer is a trusted proxy, the last
    /// address in `X-Forwarded-For` that is not one (proxies append the address they saw, so
    /// earlier entries are whatever the client claimed).
    static func client(peer: String?, forwardedFor: String?, trustedProxies: Set<String>) -> String {
        guard let peer else { return "unknown" }
        guard trustedProxies.contains(peer), let forwardedFor else { return peer }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trustedProxies.contains($0) } ?? peer
    }
}
