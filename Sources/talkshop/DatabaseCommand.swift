import ArgumentParser
import Foundation
import PostgresStore
import Store

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Show or apply the database's schema migrations (the server also applies them when it starts).",
        discussion: """
            The SQLite database in the data directory by default; a PostgreSQL database with
            --database postgres://user@host:port/name (or TALKSHOP_DATABASE_URL). Both get the same
            migrations, written once (docs/deployment.md).
            """,
        subcommands: [Status.self, Migrate.self])

    struct Target: ParsableArguments {
        @OptionGroup var data: DataOptions

        var name: String {
            if let location = try? data.postgres() { return location.description }
            let file = data.sqliteFile
            return file.path + (FileManager.default.fileExists(atPath: file.path) ? "" : " (not created yet)")
        }

        func status() async throws -> MigrationStatus {
            if let location = try data.postgres() { return try await PostgresMigrator(location: location).status() }
            return try AppDatabase.migrationStatus(at: data.sqliteFile)
        }

        func migrate() async throws {
            if let location = try data.postgres() {
                try await PostgresMigrator(location: location).migrate()
            } else {
                _ = try data.database()
            }
        }
    }

    static func printStatus(_ status: MigrationStatus) {
        for migration in status.applied { print("applied  \(migration)") }
        for migration in status.pending { print("pending  \(migration)") }
        for migration in status.unknown { print("unknown  \(migration)  (written by a newer Talkshop)") }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the migrations applied and pending, without changing the database.",
            discussion: """
                Exit status 1 when migrations are pending or the database was written by a newer Talkshop.
                On PostgreSQL, also which node holds each job's lease (the node key a node prints at start).
                """)
        @OptionGroup var target: Target

        func run() async throws {
            print("database \(target.name)")
            let status = try await target.status()
            DatabaseCommand.printStatus(status)
            print("\(status.applied.count) applied, \(status.pending.count) pending")
            if let location = try target.data.postgres() {
                let holders = try await PostgresNode.leaseHolders(LeaseName.all, database: PostgresConnections(location: location))
                for lease in LeaseName.all { print("lease \(lease): \(holders[lease].map { "node \($0)" } ?? "no node holds it")") }
            }
            if !status.pending.isEmpty || !status.unknown.isEmpty { throw ExitCode(1) }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the pending migrations (creating the SQLite file if there is none), then list them all.")
        @OptionGroup var target: Target

        func run() async throws {
            let before = try await target.status()
            guard before.unknown.isEmpty else {
                DatabaseCommand.printStatus(before)
                throw ValidationError("\(target.name) was written by a newer Talkshop (migrations above marked unknown); not changed")
            }
            try await target.migrate()
            let after = try await target.status()
            print("database \(target.name)")
            DatabaseCommand.printStatus(after)
            print("\(before.pending.count) applied now, \(after.applied.count) in all")
        }
    }
}
