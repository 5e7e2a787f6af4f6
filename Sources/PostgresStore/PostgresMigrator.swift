import Logging
import PostgresNIO
import Store

/// Applies the schema's migrations (`PostgresSchema`, derived from the SQLite ones) to a
/// PostgreSQL database, each in a transaction, recorded in `talkshop_migrations`. Nodes
/// starting at once take turns: an advisory lock is held while migrating.
public struct PostgresMigrator: Sendable {
    static let table = "talkshop_migrations"
    /// The advisory lock's key: any fixed number that no other lock in the database uses.
    static let lockKey: Int64 = 0x7461_6C6B_7368_6F70  // "talkshop"

    private let database: PostgresConnections

    public init(location: PostgresLocation, logger: Logger = Logger(label: "talkshop.postgres")) {
        database = PostgresConnections(location: location, logger: logger)
    }

    /// What `migrate` would apply, without changing anything.
    public func status() async throws -> MigrationStatus {
        try await database.withConnection { connection, logger in
            let known = try PostgresSchema.migrations().map(\.identifier)
            let applied = try await appliedMigrations(connection, logger: logger)
            return MigrationStatus(
                applied: known.filter(applied.contains), pending: known.filter { !applied.contains($0) },
                unknown: applied.subtracting(known).sorted())
        }
    }

    /// Applies the pending migrations; returns their identifiers.
    @discardableResult
    public func migrate() async throws -> [String] {
        let migrations = try PostgresSchema.migrations()
        return try await database.withConnection { connection, logger in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                try await connection.query(
                    PostgresQuery(unsafeSQL: "CREATE TABLE IF NOT EXISTS \(Self.table) (identifier TEXT PRIMARY KEY, \"appliedAt\" TIMESTAMPTZ NOT NULL DEFAULT now())"),
                    logger: logger)
                let applied = try await appliedMigrations(connection, logger: logger)
                var appliedNow: [String] = []
                for migration in migrations where !applied.contains(migration.identifier) {
                    try await connection.withTransaction(logger: logger) { transaction in
                        for statement in migration.statements {
                            try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await transaction.query("INSERT INTO talkshop_migrations (identifier) VALUES (\(migration.identifier))", logger: logger)
                    }
                    appliedNow.append(migration.identifier)
                }
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return appliedNow
            } catch {
                // The migration's error is the one to report; closing the connection releases the lock anyway.
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    private func appliedMigrations(_ connection: PostgresConnection, logger: Logger) async throws -> Set<String> {
        let exists = try await connection.query("SELECT to_regclass('talkshop_migrations') IS NOT NULL", logger: logger)
        var tableExists = false
        for try await value in exists.decode(Bool.self) { tableExists = value }
        guard tableExists else { return [] }
        var applied: Set<String> = []
        for try await identifier in try await connection.query("SELECT identifier FROM talkshop_migrations", logger: logger).decode(String.self) {
            applied.insert(identifier)
        }
        return applied
    }
}
