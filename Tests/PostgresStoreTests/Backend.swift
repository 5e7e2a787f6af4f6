import Foundation
import PostgresStore
import Store
import Testing

/// The two databases the store tests run on, the same tests for both.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }

    /// PostgreSQL when the test script started it (`PostgresMigratorTests` fails if it should
    /// have and did not).
    static let available: [Backend] = PostgresMigratorTests.serverURL == nil ? [.sqlite] : allCases

    /// Runs `body` on a new, empty, migrated PostgreSQL database of its own (for tests of what
    /// only PostgreSQL does).
    static func withPostgres(_ body: (PostgresConnections) async throws -> Void) async throws {
        try await PostgresMigratorTests.withDatabase { location in
            try await PostgresMigrator(location: location).migrate()
            try await body(PostgresConnections(location: location))
        }
    }

    /// Runs `body` with stores made on a new, empty, migrated database of this backend:
    /// `sqlite` makes them on an in-memory database, `postgres` on a database of its own.
    func with<Stores>(
        sqlite: (AppDatabase) throws -> Stores, postgres: (PostgresConnections) -> Stores, _ body: (Stores) async throws -> Void
    ) async throws {
        switch self {
        case .sqlite:
            try await body(try sqlite(try AppDatabase.inMemory()))
        case .postgres:
            try await Self.withPostgres { connections in try await body(postgres(connections)) }
        }
    }
}
