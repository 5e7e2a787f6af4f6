import ArgumentParser
import Foundation
import PostgresStore
import Store

/// Where the staff commands find the database: the same place `talkshop serve` uses — the
/// SQLite file in the data directory, or the PostgreSQL database several nodes share.
struct DataOptions: ParsableArguments {
    @Option(help: "Directory of the database (default: TALKSHOP_DATA_DIR or ./var).")
    var dataDirectory: String = ProcessInfo.processInfo.environment["TALKSHOP_DATA_DIR"] ?? AppDatabase.defaultDataDirectory

    @Option(
        name: .customLong("database"),
        help: "The PostgreSQL database several nodes share, postgres://user[:password]@host[:port]/name[?sslmode=require] (default: TALKSHOP_DATABASE_URL; without either, the SQLite file in the data directory).")
    var sharedDatabase: String? = ProcessInfo.processInfo.environment["TALKSHOP_DATABASE_URL"]

    var sqliteFile: URL { URL(fileURLWithPath: dataDirectory).appendingPathComponent("talkshop.sqlite") }

    /// The shared database, when one is named.
    func postgres() throws -> PostgresLocation? {
        guard let sharedDatabase, !sharedDatabase.isEmpty else { return nil }
        do { return try PostgresLocation(url: sharedDatabase) } catch { throw ValidationError(error.description) }
    }

    /// The SQLite database in the data directory.
    func database() throws -> AppDatabase {
        try AppDatabase.open(at: sqliteFile)
    }

    /// The stores the customer, device, catalog, order and staff commands work on. A
    /// PostgreSQL database must have been migrated (`talkshop db migrate`, or a node's start).
    func stores() async throws -> ShopStores {
        guard let connections = try await migratedPostgres() else { return ShopStores(sqlite: try database()) }
        return ShopStores(postgres: connections)
    }

    /// The shared database, when one is named, refused while it has migrations pending.
    func migratedPostgres() async throws -> PostgresConnections? {
        guard let location = try postgres() else { return nil }
        let status = try await PostgresMigrator(location: location).status()
        guard status.pending.isEmpty else {
            throw UsageError("\(location) has \(status.pending.count) migrations pending: run `talkshop db migrate --database …` first (a node also applies them when it starts)")
        }
        return PostgresConnections(location: location)
    }

    /// The retention desk: over the data directory (its database, key vault, recordings and
    /// audit trail), or over the shared database, with the nodes' key-encryption key
    /// (`TALKSHOP_MASTER_KEY` or `TALKSHOP_MASTER_KEY_FILE`).
    func retentionOffice() async throws -> RetentionOffice {
        guard let connections = try await migratedPostgres() else {
            return try RetentionOffice.open(database: database(), dataDirectory: URL(fileURLWithPath: dataDirectory))
        }
        let shop = ShopStores(postgres: connections)
        let turns = PostgresTurnStorage(
            database: connections, vault: PostgresKeyVault(database: connections, keyEncryptionKey: try KeyVault.sharedKeyEncryptionKey()))
        return RetentionOffice(postgres: connections, turns: turns, orders: shop.orders, customers: shop.customers)
    }

    /// The audit trail: the data directory's (with its head file) or the shared database's.
    func auditTrail() async throws -> any AuditStorage {
        guard let connections = try await migratedPostgres() else {
            return SQLiteAuditStorage(database: try database(), headFile: SQLiteAuditStorage.headFile(in: URL(fileURLWithPath: dataDirectory)))
        }
        return PostgresAuditStorage(database: connections)
    }
}

/// A mistake in what the user typed: printed as "Error: …" with exit status 1.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
