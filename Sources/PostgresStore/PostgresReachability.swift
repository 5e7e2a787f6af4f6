import Store
import Synchronization

/// Whether the node can reach PostgreSQL now. A store call that waits longer than the deadline
/// for a connection marks it unreachable; while it is, calls fail at once (`StoreUnavailable`)
/// instead of each waiting out the deadline again, so a customer hears within about a second
/// that the shop cannot take the order. The readiness probe (`SELECT 1` every second, with the
/// same deadline) marks it reachable again once the pool reconnects: nothing needs a restart.
public final class PostgresReachability: Sendable {
    private let reachable = Mutex(true)
    let database: PostgresConnections

    init(database: PostgresConnections) { self.database = database }

    public var isReachable: Bool { reachable.withLock { $0 } }

    func mark(_ isReachable: Bool) {
        let changed = reachable.withLock { reachable in
            defer { reachable = isReachable }
            return reachable != isReachable
        }
        guard changed else { return }
        if isReachable {
            database.logger.notice("the shared database answers again")
        } else {
            database.logger.error("the shared database does not answer; failing store calls at once until it does")
        }
    }
}

extension PostgresReachability: StoreReadiness {
    public var isReady: Bool { isReachable }

    public func probe() async -> Bool {
        do {
            try await database.withConnection(probing: true) { connection, logger in try await connection.query("SELECT 1", logger: logger) }
            mark(true)
            return true
        } catch {
            mark(false)
            return false
        }
    }
}
