import Foundation
import HTTPTypes
import Logging
import NIOCore
import Synchronization

/// Keeps connections that have not shown a token from taking the server down. Every accepted
/// connection is *unauthenticated* until it becomes an admitted voice session or an identified
/// phone line; those are capped (`limits.maxUnauthenticatedConnections`), and over the cap the
/// one that has waited longest is closed to make room — so a flood of slow or idle connections
/// cannot lock out a client that sends its request at once, and cannot run the process out of
/// descriptors. It also remembers why an upgrade was refused, so the refusal goes out with its
/// own status (`UpgradeRefusalHandler`).
public final class ConnectionGate: Sendable {
    /// Why a WebSocket upgrade was refused: the status and a sentence.
    struct Refusal: Sendable, Equatable {
        var status: HTTPResponse.Status
        var message: String
    }

    private struct Connection {
        var channel: any Channel
        var acceptedOrder: UInt64
        var refusal: Refusal?
    }

    private struct State {
        var unauthenticated: [ObjectIdentifier: Connection] = [:]
        var accepted: UInt64 = 0
        var lastWarning: ContinuousClock.Instant?
        var evictedSinceWarning = 0
    }

    private let state = Mutex(State())
    let maxUnauthenticated: Int
    private let metrics: Metrics
    private let logger: Logger

    init(maxUnauthenticated: Int, metrics: Metrics, logger: Logger) {
        self.maxUnauthenticated = maxUnauthenticated
        self.metrics = metrics
        self.logger = logger
        metrics.adjust(.connectionsUnauthenticated, by: 0)
        for reason in ["evicted", "head_timeout"] { metrics.increment(.connectionsClosed, label: reason, by: 0) }
    }

    /// A connection was accepted. Over the cap, the unauthenticated connection waiting longest
    /// is closed.
    func accepted(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let evicted = state.withLock { state -> (any Channel)? in
            state.accepted += 1
            var oldest: (id: ObjectIdentifier, connection: Connection)?
            if state.unauthenticated.count >= maxUnauthenticated {
                oldest = state.unauthenticated.min { $0.value.acceptedOrder < $1.value.acceptedOrder }.map { ($0.key, $0.value) }
                if let oldest { state.unauthenticated[oldest.id] = nil }
            }
            state.unauthenticated[id] = Connection(channel: channel, acceptedOrder: state.accepted)
            return oldest?.connection.channel
        }
        metrics.adjust(.connectionsUnauthenticated, by: evicted == nil ? 1 : 0)
        channel.closeFuture.whenComplete { _ in self.forget(id) }
        if let evicted {
            metrics.increment(.connectionsClosed, label: "evicted")
            warnOfFlood()
            Self.close(evicted)
        }
    }

    /// Closes a connection whose request never came, as if its input had ended first: the
    /// upgrade layer then lets it go quietly, instead of logging an error for every one of a
    /// flood's connections (the gate logs the flood once).
    static func close(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        channel.close(promise: nil)
    }

    /// The connection showed a valid token: it no longer counts against the cap.
    func authenticated(_ channel: any Channel) {
        forget(ObjectIdentifier(channel))
    }

    /// The connection authenticated or closed: no longer counted (once, whichever came first).
    private func forget(_ id: ObjectIdentifier) {
        let removed = state.withLock { $0.unauthenticated.removeValue(forKey: id) }
        if removed != nil { metrics.adjust(.connectionsUnauthenticated, by: -1) }
    }

    /// The request head did not arrive in time (`RequestHeadTimeoutHandler`).
    func headTimedOut() {
        metrics.increment(.connectionsClosed, label: "head_timeout")
    }

    /// Records why this connection's upgrade is refused, for the response.
    func refuse(_ channel: any Channel, _ status: HTTPResponse.Status, _ message: String) {
        state.withLock { $0.unauthenticated[ObjectIdentifier(channel)]?.refusal = Refusal(status: status, message: message) }
    }

    func refusal(for channel: any Channel) -> Refusal? {
        state.withLock { $0.unauthenticated[ObjectIdentifier(channel)]?.refusal }
    }

    var unauthenticatedCount: Int { state.withLock { $0.unauthenticated.count } }

    /// One log line per ten seconds of flood, with how many were closed: a flood must not
    /// flood the log too.
    private func warnOfFlood() {
        let evicted = state.withLock { state -> Int? in
            state.evictedSinceWarning += 1
            if let last = state.lastWarning, ContinuousClock.now - last < .seconds(10) { return nil }
            state.lastWarning = .now
            defer { state.evictedSinceWarning = 0 }
            return state.evictedSinceWarning
        }
        if let evicted {
            logger.warning(
                "too many unauthenticated connections: closing the longest waiting",
                metadata: ["talkshop.connections.closed": "\(evicted)", "talkshop.connections.cap": "\(maxUnauthenticated)"])
        }
    }
}
