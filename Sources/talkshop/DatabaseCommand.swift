import ArgumentParser
import Foundation
import Store

struct DatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Show or apply the database's schema migrations (the server also applies them when it starts).",
        subcommands: [Status.self, Migrate.self])

    static func file(_ data: DataOptions) -> URL {
        URL(fileURLWithPath: data.dataDirectory).appendingPathComponent("talkshop.sqlite")
    }

    static func printStatus(_ status: AppDatabase.MigrationStatus) {
        for migration in status.applied { print("applied  \(migration)") }
        for migration in status.pending { print("pending  \(migration)") }
        for migration in status.unknown { print("unknown  \(migration)  (written by a newer Talkshop)") }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the migrations applied and pending, without changing the database.",
            discussion: "Exit status 1 when migrations are pending or the database was written by a newer Talkshop.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let file = DatabaseCommand.file(data)
            let status = try AppDatabase.migrationStatus(at: file)
            print("database \(file.path)\(FileManager.default.fileExists(atPath: file.path) ? "" : " (not created yet)")")
            DatabaseCommand.printStatus(status)
            print("\(status.applied.count) applied, \(status.pending.count) pending")
            if !status.pending.isEmpty || !status.unknown.isEmpty { throw ExitCode(1) }
        }
    }

    struct Migrate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the pending migrations (creating the database if there is none), then list them all.")
        @OptionGroup var data: DataOptions

        func run() throws {
            let file = DatabaseCommand.file(data)
            let before = try AppDatabase.migrationStatus(at: file)
            guard before.unknown.isEmpty else {
                DatabaseCommand.printStatus(before)
                throw ValidationError("\(file.path) was written by a newer Talkshop (migrations above marked unknown); not changed")
            }
            _ = try AppDatabase.open(at: file)
            let after = try AppDatabase.migrationStatus(at: file)
            DatabaseCommand.printStatus(after)
            print("\(before.pending.count) applied now, \(after.applied.count) in all")
        }
    }
}
