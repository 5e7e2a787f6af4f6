import Logging
import PostgresNIO
import Store
import Synchronization

/// How the PostgreSQL stores reach their database: a pool a server node keeps (`pooled`), or a
/// connection opened for each unit of work and closed after it (the CLI's one-off commands,
/// the tests). Database failures are said plainly (`PostgresProblem`); a store's own errors (a
/// refused order, an invalid customer) pass through unchanged.
public struct PostgresConnections: Sendable {
    public let location: PostgresLocation
    let logger: Logger
    private let pool: PostgresClient?
    /// The longest a store call waits for one of the pool's connections (with PostgreSQL
    /// down, the pool would wait for it to come back).
    public let connectionWait: Duration
    private let reachabilityBox: ReachabilityBox?

    /// A new connection for each unit of work.
    public init(location: PostgresLocation, logger: Logger = Logger(label: "talkshop.postgres")) {
        self.location = location
        self.logger = logger
        pool = nil
        connectionWait = .seconds(10)
        reachabilityBox = nil
    }

    /// Connections from `pool`, which the caller runs (`PostgresClient.run()`) for as long as
    /// the stores are used; a call that waits longer than `connectionWait` for one fails
    /// (`StoreUnavailable`), and so does every call after it until `reachability` is probed again.
    public init(location: PostgresLocation, pool: PostgresClient, logger: Logger, connectionWait: Duration = .seconds(1)) {
        self.location = location
        self.logger = logger
        self.pool = pool
        self.connectionWait = connectionWait
        reachabilityBox = ReachabilityBox()
    }

    /// Whether the pool's database answers (nil for connections opened per unit of work).
    public var reachability: PostgresReachability? { reachabilityBox?.reachability(of: self) }

    /// A pool for `location`, at most `location.poolConfiguration`'s connections (16); run it.
    public static func pool(for location: PostgresLocation, logger: Logger) -> PostgresClient {
        PostgresClient(configuration: location.poolConfiguration, backgroundLogger: logger)
    }

    /// Runs `body` on a connection: the pool's, or a new one closed after.
    public func withConnection<T: Sendable>(_ body: @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await withConnection(probing: false, body)
    }

    /// `probing`: the readiness probe's own call, made while the database is marked unreachable.
    func withConnection<T: Sendable>(probing: Bool, _ body: @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        guard let pool else { return try await withOwnConnection(body) }
        if !probing, let reachability, !reachability.isReachable {
            throw StoreUnavailable("the shared database \(location) does not answer")
        }
        do {
            return try await leased(from: pool, body)
        } catch let unavailable as StoreUnavailable {
            reachability?.mark(false)
            throw unavailable
        } catch {
            throw Self.plain(error, at: location)
        }
    }

    /// `body` on a connection of the pool, if one is had within `connectionWait`. Either the
    /// body runs or the wait times out, never both: a body that got its connection runs to the
    /// end (cancelling a write half-way would leave its outcome unknown).
    private func leased<T: Sendable>(from pool: PostgresClient, _ body: @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let lease = LeaseGate()
        let (wait, logger, location) = (connectionWait, logger, location)
        return try await withoutActuallyEscaping(body) { body in
            // A child's result: the body's value, or nothing (the timer, once the body had its connection).
            try await withThrowingTaskGroup(of: [T].self) { group in
                group.addTask {
                    try await pool.withConnection { connection in
                        guard lease.settle(as: .leased) else { throw CancellationError() }
                        return [try await body(connection, logger)]
                    }
                }
                group.addTask {
                    try? await Task.sleep(for: wait)  // cancelled once the body has finished
                    if lease.settle(as: .timedOut) { throw StoreUnavailable("no connection to \(location) within \(wait)") }
                    return []
                }
                while let finished = try await group.next() {
                    if let value = finished.first {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
        }
    }

    /// Runs `body` on a connection of its own, closed after: for what holds a connection for
    /// long (listening for notifications) and must not take one from the pool.
    public func withOwnConnection<T: Sendable>(_ body: @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let connection: PostgresConnection
        do { connection = try await PostgresConnection.connect(configuration: location.configuration, id: 1, logger: logger) } catch {
            throw PostgresProblem("cannot connect to \(location)", error)
        }
        do {
            let result = try await body(connection, logger)
            try? await connection.close()  // the work is done; a failed goodbye changes nothing
            return result
        } catch {
            try? await connection.close()  // the body's error is the one to report
            throw Self.plain(error, at: location)
        }
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    public func withTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await withConnection { connection, logger in
            try await connection.withTransaction(logger: logger) { transaction in try await body(transaction, logger) }
        }
    }

    /// The store's own error as thrown; a database error as a `PostgresProblem`.
    static func plain(_ error: any Error, at location: PostgresLocation) -> any Error {
        if let transaction = error as? PostgresTransactionError, let cause = transaction.closureError, !(cause is PSQLError) {
            return cause
        }
        if error is PostgresProblem { return error }
        if error is PSQLError || error is PostgresTransactionError { return PostgresProblem("\(location)", error) }
        return error
    }
}

/// A store call's wait for a connection: either it gets one, or it times out, whichever
/// comes first.
private final class LeaseGate: Sendable {
    enum Outcome { case waiting, leased, timedOut }
    private let outcome = Mutex(Outcome.waiting)

    /// Whether `final` is the outcome: true for the first to settle, false for the other.
    func settle(as final: Outcome) -> Bool {
        outcome.withLock { outcome in
            guard outcome == .waiting else { return false }
            outcome = final
            return true
        }
    }
}

/// The pool's one `PostgresReachability`, made on first use (it refers back to the connections).
private final class ReachabilityBox: Sendable {
    private let made = Mutex<PostgresReachability?>(nil)

    func reachability(of connections: PostgresConnections) -> PostgresReachability {
        made.withLock { made in
            if let made { return made }
            let fresh = PostgresReachability(database: connections)
            made = fresh
            return fresh
        }
    }
}
