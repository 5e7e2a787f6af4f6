import HummingbirdCore
import Logging
import Synchronization

/// The most connections held at once. At the limit the server stops accepting — new
/// connections wait in the kernel's backlog — until one closes: running out of descriptors
/// is refused gracefully, never met (it crashed the runtime's thread pool). Counts in
/// `talkshop_connections_open`; each pause in `talkshop_accept_paused_total` and the log.
final class ConnectionBudget: AvailableConnectionsDelegate {
    let limit: Int
    private let metrics: Metrics
    private let logger: Logger
    private let state = Mutex((open: 0, paused: false))

    init(limit: Int, metrics: Metrics, logger: Logger) {
        self.limit = limit
        self.metrics = metrics
        self.logger = logger
        metrics.adjust(.connectionsOpen, by: 0)
        metrics.increment(.acceptPaused, by: 0)
    }

    func connectionOpened() {
        state.withLock { $0.open += 1 }
        metrics.adjust(.connectionsOpen, by: 1)
    }

    func connectionClosed() {
        let resumed = state.withLock { state -> Int? in
            state.open -= 1
            guard state.paused, state.open < limit else { return nil }
            state.paused = false
            return state.open
        }
        metrics.adjust(.connectionsOpen, by: -1)
        if let open = resumed { logger.notice("accepting connections again", metadata: ["talkshop.connections.open": "\(open)"]) }
    }

    func isAcceptingNewConnections() -> Bool {
        let pausedNow = state.withLock { state -> Int? in
            guard state.open >= limit else { return nil }
            defer { state.paused = true }
            return state.paused ? nil : state.open
        }
        if let open = pausedNow {
            metrics.increment(.acceptPaused)
            logger.warning(
                "connection limit reached: accepting is paused until one closes",
                metadata: ["talkshop.connections.open": "\(open)", "talkshop.connections.limit": "\(limit)"])
        }
        return state.withLock { $0.open < limit }
    }
}
