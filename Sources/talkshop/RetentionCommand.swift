import ArgumentParser
import Foundation
import Store

struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Purge stored transcripts and place or release legal holds (docs/compliance.md).",
        subcommands: [Purge.self, Hold.self, Release.self, Holds.self])

    struct Officer: ParsableArguments {
        @Option(help: "Who is acting, for the audit trail (default: $USER).")
        var officer: String = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }

    static func desk(_ data: DataOptions) throws -> RetentionDesk {
        let database = try data.database()
        return RetentionDesk(database: database, audit: AuditLog(database: database, headFile: AuditCommand.headFile(data)))
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Purge transcripts by customer, session or date; try --dry-run first.",
            discussion: """
                Held records are never purged: a purge of a held customer or session is refused;
                a date purge skips held records and reports how many. After the purge the WAL is
                checkpointed and truncated; if that cannot complete (a long reader), the command
                fails and should be run again.
                """)
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Option(help: "A customer id (an erasure request).") var customer: String?
        @Option(help: "A session id.") var session: String?
        @Option(help: "Everything recorded before this date (YYYY-MM-DD, UTC) or time (ISO 8601).") var before: String?
        @Option(help: "Why, e.g. the erasure request's reference.") var reason: String
        @Flag(help: "Show what would be purged and change nothing.") var dryRun = false

        func validate() throws {
            guard [customer, session, before].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --customer, --session, --before")
            }
        }

        func run() throws {
            let selection: RetentionDesk.Selection
            if let customer { selection = .customer(customer) } else if let session { selection = .session(session) } else {
                selection = .before(try RetentionCommand.date(before!))
            }
            // A refusal (a hold, no reason) is printed as "Error: …" with exit status 1.
            let report = try RetentionCommand.desk(data).purge(selection, reason: reason, officer: officer.officer, dryRun: dryRun)
            let verb = dryRun ? "would purge" : "purged"
            print("\(verb) \(report.turns) transcribed turns (\(selection)); \(report.heldTurns) held and kept")
        }
    }

    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Place a legal hold on a customer or a session; prints the hold id.")
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Option(help: "A customer id.") var customer: String?
        @Option(help: "A session id.") var session: String?
        @Option(help: "Why, e.g. the case reference.") var reason: String

        func run() throws {
            guard (customer == nil) != (session == nil) else { throw ValidationError("give exactly one of --customer, --session") }
            let hold = try RetentionCommand.desk(data).hold(
                customer == nil ? .session : .customer, customer ?? session!, reason: reason, officer: officer.officer)
            print("hold \(hold.id) on \(hold.scope.rawValue) \(hold.subjectId)")
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Release a legal hold.")
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Argument(help: "The hold id.") var id: String
        @Option(help: "Why.") var reason: String

        func run() throws {
            let hold = try RetentionCommand.desk(data).release(holdId: id, reason: reason, officer: officer.officer)
            print("released \(hold.id) on \(hold.scope.rawValue) \(hold.subjectId)")
        }
    }

    struct Holds: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List active legal holds (--all: released ones too).")
        @OptionGroup var data: DataOptions
        @Flag(help: "Include released holds.") var all = false

        func run() throws {
            let formatter = ISO8601DateFormatter()
            let holds = try RetentionCommand.desk(data).holds(activeOnly: !all)
            for hold in holds {
                let released = hold.releasedAt.map { "  released \(formatter.string(from: $0)) by \(hold.releasedBy ?? "?")" } ?? ""
                print("\(hold.id)  \(hold.scope.rawValue) \(hold.subjectId)  by \(hold.placedBy) \(formatter.string(from: hold.placedAt))  \"\(hold.reason)\"\(released)")
            }
            if holds.isEmpty { print("no holds") }
        }
    }

    /// "2026-01-31" (midnight UTC) or a full ISO 8601 time.
    static func date(_ text: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw UsageError("'\(text)' is not a date like 2026-01-31 or 2026-01-31T12:00:00Z")
    }
}
