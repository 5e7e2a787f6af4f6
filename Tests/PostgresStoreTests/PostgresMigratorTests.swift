import Foundation
import GRDB
import Logging
import PostgresNIO
import PostgresStore
import Store
import TalkshopTesting
import Testing

/// The schema's migrations on a real PostgreSQL, started by scripts/test.sh
/// (`TALKSHOP_TEST_POSTGRES_URL`); each test in a database of its own.
struct PostgresMigratorTests {
    static let serverURL = TestPostgres.serverURL
    static let logger = Logger(label: "talkshop.test.postgres")

    /// Run by the test script, the suite must not skip these quietly.
    @Test func thePostgreSQLTheTestScriptStartsIsThere() throws {
        guard TestPostgres.required else { return }
        #expect(Self.serverURL != nil, "scripts/test.sh starts PostgreSQL and sets TALKSHOP_TEST_POSTGRES_URL")
    }

    /// A new, empty database on the test server, dropped after `body`.
    static func withDatabase(_ body: (PostgresLocation) async throws -> Void) async throws {
        try await TestPostgres.withDatabase { _, location in try await body(location) }
    }

    /// (table, column, nullable) of every column, sorted.
    static func columns(of location: PostgresLocation) async throws -> [String] {
        let connection = try await PostgresConnection.connect(configuration: location.configuration, id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        let rows = try await connection.query(
            "SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'talkshop_migrations'",
            logger: logger)
        var columns: [String] = []
        for try await (table, column, nullable) in rows.decode((String, String, String).self) {
            columns.append("\(table).\(column) \(nullable == "YES" ? "null" : "not null")")
        }
        return columns.sorted()
    }

    @Test(.enabled(if: serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func migrationsApplyOnceAndAreReported() async throws {
        try await Self.withDatabase { location in
            let migrator = PostgresMigrator(location: location, logger: Self.logger)
            let fresh = try await migrator.status()
            #expect(fresh.applied.isEmpty && fresh.pending == AppDatabase.migrationIdentifiers)
            let applied = try await migrator.migrate()
            #expect(applied == AppDatabase.migrationIdentifiers)
            let after = try await migrator.status()
            #expect(after.pending.isEmpty && after.applied == AppDatabase.migrationIdentifiers)
            let again = try await migrator.migrate()
            #expect(again.isEmpty, "a second run applies nothing")
        }
    }

    /// The same tables and columns, with the same nullability, as the SQLite schema: the
    /// migrations are written once (`PostgresSchema`).
    @Test(.enabled(if: serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func theSchemaIsSQLites() async throws {
        let sqlite = try await AppDatabase.inMemory().writer.read { db in
            var columns: [String] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'grdb_%'") {
                for row in try Row.fetchAll(db, sql: "PRAGMA table_info(\(table.quotedDatabaseIdentifier))") {
                    let notNull: Bool = row["notnull"]
                    let primaryKey: Int = row["pk"]
                    columns.append("\(table).\(row["name"] as String) \(notNull || primaryKey > 0 ? "not null" : "null")")
                }
            }
            return columns.sorted()
        }
        try await Self.withDatabase { location in
            try await PostgresMigrator(location: location, logger: Self.logger).migrate()
            let postgres = try await Self.columns(of: location)
            #expect(postgres == sqlite)
        }
    }

    /// A password need not be on a command line, where `ps` shows it to the whole machine.
    @Test func aURLWithoutAPasswordTakesItFromAPasswordFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try "# shop nodes\nother:5432:shop:talkshop:wrong\ndb.example:*:shop:talkshop:s3cr\\:et\n".write(to: file, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        let environment = ["PGPASSFILE": file.path]
        let found = try PostgresLocation(url: "postgres://talkshop@db.example:6543/shop", environment: environment)
        #expect(found.configuration.password == "s3cr:et" && found.description == "postgres://talkshop@db.example:6543/shop")
        #expect(try PostgresLocation(url: "postgres://talkshop@elsewhere/shop", environment: environment).hasPassword == false)
        #expect(try PostgresLocation(url: "postgres://talkshop:given@db.example/shop", environment: environment).configuration.password == "given")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://talkshop@db.example/shop", environment: environment) }
        #expect(throws: PostgresLocation.Invalid.self) {
            try PostgresLocation(url: "postgres://talkshop@db.example/shop", environment: ["PGPASSFILE": file.path + ".missing"])
        }
    }

    @Test func badURLsAreRefusedWithTheirReason() throws {
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://host/db") }
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://u@host") }
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://u@host/db?sslmode=prefer") }
        #expect(try PostgresLocation(url: "postgres://u:secret@db.example:6543/shop").description == "postgres://u@db.example:6543/shop")
        // A refused URL is quoted without its password.
        do {
            _ = try PostgresLocation(url: "mysql://u:s3cret@host/db")
            Issue.record("a MySQL URL was taken")
        } catch {
            #expect(!error.description.contains("s3cret") && error.description.contains("password not shown"), "\(error)")
        }
    }
}
