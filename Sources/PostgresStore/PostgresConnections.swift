import Logging
import PostgresNIO

/// How the PostgreSQL stores reach their database: a pool a server node keeps (`pooled`), or a
/// connection opened for each unit of work and closed after it (the CLI's one-off commands,
/// the tests). Database failures are said plainly (`PostgresProblem`); a store's own errors (a
/// refused order, an invalid customer) pass through unchanged.
public struct PostgresConnections: Sendable {
    public let location: PostgresLocation
    let logger: Logger
    private let pool: PostgresClient?

    /// A new connection for each unit of work.
    public init(location: PostgresLocation, logger: Logger = Logger(label: "talkshop.postgres")) {
        self.location = location
        self.logger = logger
        pool = nil
    }

    /// Connections from `pool`, which the caller runs (`PostgresClient.run()`) for as long as
    /// the stores are used.
    public init(location: PostgresLocation, pool: PostgresClient, logger: Logger) {
        self.location = location
        self.logger = logger
        self.pool = pool
    }

    /// A pool for `location`, at most `location.poolConfiguration`'s connections (16); run it.
    public static func pool(for location: PostgresLocation, logger: Logger) -> PostgresClient {
        PostgresClient(configuration: location.poolConfiguration, backgroundLogger: logger)
    }

    /// Runs `body` on a connection: the pool's, or a new one closed after.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        guard let pool else { return try await withOwnConnection(body) }
        do {
            return try await pool.withConnection { connection in try await body(connection, logger) }
        } catch {
            throw Self.plain(error, at: location)
        }
    }

    /// Runs `body` on a connection of its own, closed after: for what holds a connection for
    /// long (listening for notifications) and must not take one from the pool.
    public func withOwnConnection<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let connection: PostgresConnection
        do { connection = try await PostgresConnection.connect(configuration: location.configuration, id: 1, logger: logger) } catch {
            throw PostgresProblem("cannot connect to \(location)", error)
        }
        do {
            let result = try await body(connection, logger)
            try? await connection.close()  // the work is done; a failed goodbye changes nothing
            return result
        } catch {
            try? await connection.close()
            throw Self.plain(error, at: location)
        }
    }

    /// Runs `body` in one transaction: committed if it returns, rolled back if it throws.
    public func withTransaction<T: Sendable>(_ body: @escaping (PostgresConnection, Logger) async throws -> T) async throws -> T {
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
