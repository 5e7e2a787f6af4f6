import Logging
import PostgresNIO

/// How the PostgreSQL stores reach their database: a connection opened for each unit of work
/// and closed after it. Database failures are said plainly (`PostgresProblem`); a store's own
/// errors (a refused order, an invalid customer) pass through unchanged.
public struct PostgresConnections: Sendable {
    public let location: PostgresLocation
    let logger: Logger

    public init(location: PostgresLocation, logger: Logger = Logger(label: "talkshop.postgres")) {
        self.location = location
        self.logger = logger
    }

    /// Runs `body` on a new connection, closed after.
    public func withConnection<T: Sendable>(_ body: (PostgresConnection, Logger) async throws -> T) async throws -> T {
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

    /// Runs `body` in one transaction on a new connection: committed if it returns, rolled back
    /// if it throws.
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
        if error is PSQLError || error is PostgresTransactionError { return PostgresProblem("\(location)", error) }
        return error
    }
}
