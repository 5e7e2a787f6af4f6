import ArgumentParser
import Foundation
import Store

struct RetentionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention",
        abstract: "Apply the retention policy, purge or erase, hold and release, export (docs/compliance.md).",
        subcommands: [Sweep.self, Purge.self, Hold.self, Release.self, Holds.self, Export.self])

    struct Officer: ParsableArguments {
        @Option(help: "Who is acting, for the audit trail (default: $USER).")
        var officer: String = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
    }

    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the retention policy now: delete recordings, transcripts and sessions past their periods.",
            discussion: """
                The server sweeps on its own every sweepIntervalMinutes; this runs one sweep on
                demand. Held records are kept and counted. Orders are never deleted; they lose
                their link to expired audio and transcripts. A changed policy is recorded in the
                audit trail before the sweep.
                """)
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Option(help: "The policy file (default: retention.yaml if present, else the built-in policy).") var policy: String?
        @Flag(help: "Count what would go and change nothing.") var dryRun = false

        func run() async throws {
            let policy = try RetentionCommand.policy(policy)
            let desk = try await data.retentionOffice()
            if !dryRun { try await desk.notePolicy(policy, source: self.policy ?? "retention.yaml", actor: officer.officer) }
            let started = ContinuousClock.now
            let report = try await desk.sweep(policy: policy, now: Date(), actor: officer.officer, dryRun: dryRun)
            let seconds = (ContinuousClock.now - started).seconds
            let verb = dryRun ? "would delete" : "deleted"
            print("""
                \(verb) \(report.recordings) recordings, \(report.transcripts) transcripts, \(report.sessions) sessions, \
                \(report.conversations) conversations; kept under hold: \(report.heldRecordings) recordings, \
                \(report.heldTranscripts) transcripts (\(String(format: "%.2f", seconds)) s)
                """)
        }
    }

    struct Purge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Purge by session or date range, or erase a customer; try --dry-run first.",
            discussion: """
                --customer is an erasure request: every transcript and recording of the customer
                goes and their key is destroyed, so copies in backups become unreadable; orders
                stay as business records. If a hold covers any of the customer's data, the
                request is recorded and carried out when the last such hold is released.
                A purge of a held session is refused; a date purge skips held records and counts
                them. After deletion the WAL is checkpointed and truncated; if that cannot
                complete (a long reader), the command fails and should be run again.
                With --database (several nodes) it acts on the shared database: purged rows are
                deleted and vacuumed, an erasure destroys the key and rewrites the key table
                (docs/compliance.md, "Erasure on PostgreSQL").
                """)
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Option(help: "A customer id (an erasure request).") var customer: String?
        @Option(help: "A session id.") var session: String?
        @Option(help: "Recorded on or after this date (YYYY-MM-DD, UTC, or ISO 8601); use with --before.") var from: String?
        @Option(help: "Recorded before this date (YYYY-MM-DD, UTC, or ISO 8601).") var before: String?
        @Option(help: "Why, e.g. 'erasure request'.") var reason: String
        @Option(help: "The request's reference, e.g. a ticket number (erasure).") var reference: String?
        @Flag(help: "Show what would be purged and change nothing.") var dryRun = false

        func validate() throws {
            guard [customer, session, before].compactMap({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --customer, --session, --before (with an optional --from)")
            }
            if from != nil && before == nil { throw ValidationError("--from needs --before") }
        }

        func run() async throws {
            let selection: RetentionOffice.Selection
            if let customer { selection = .customer(customer) } else if let session { selection = .session(session) } else {
                selection = .dates(from: try from.map(RetentionOffice.date), to: try RetentionOffice.date(before!))
            }
            // A refusal (a hold, no reason, an unknown id) is printed as "Error: …" with exit status 1.
            let report = try await data.retentionOffice().purge(
                selection, reason: reason, officer: officer.officer, reference: reference, dryRun: dryRun)
            if !report.blockingHolds.isEmpty {
                let holds = report.blockingHolds.joined(separator: ", ")
                print(report.deferred.map { "deferred: held by \(holds); erasure request \($0.id) recorded, carried out on release; nothing purged now" }
                      ?? "would be deferred: held by \(holds)")
                return
            }
            let verb = dryRun ? "would purge" : "purged"
            var line = "\(verb) \(report.turns) transcribed turns and \(report.recordings) recordings (\(selection)); "
                + "\(report.heldTurns) turns and \(report.heldRecordings) recordings held and kept"
            if case .customer = selection { line += report.keyDestroyed ? (dryRun ? "; would destroy the key" : "; key destroyed") : "; no key" }
            print(line)
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Place a legal hold on a customer, session or order; prints the hold id.")
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Option(help: "A customer id.") var customer: String?
        @Option(help: "A session id.") var session: String?
        @Option(help: "An order id.") var order: String?
        @Option(help: "Why, e.g. the case reference.") var reason: String

        func run() async throws {
            let given: [(LegalHold.Scope, String)] = [(.customer, customer), (.session, session), (.order, order)].compactMap { scope, id in
                id.map { (scope, $0) }
            }
            guard given.count == 1 else { throw ValidationError("give exactly one of --customer, --session, --order") }
            let hold = try await data.retentionOffice().hold(given[0].0, given[0].1, reason: reason, officer: officer.officer)
            print("hold \(hold.id) on \(hold.scope.rawValue) \(hold.subjectId)")
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a legal hold; erasure requests it was blocking are carried out.")
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Argument(help: "The hold id.") var id: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            let (hold, erasures) = try await data.retentionOffice().release(holdId: id, reason: reason, officer: officer.officer)
            print("released \(hold.id) on \(hold.scope.rawValue) \(hold.subjectId)")
            for erasure in erasures {
                print("carried out a deferred erasure: \(erasure.turns) turns and \(erasure.recordings) recordings purged\(erasure.keyDestroyed ? ", key destroyed" : "")")
            }
        }
    }

    struct Holds: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List active legal holds and pending erasure requests (--all: released holds too).")
        @OptionGroup var data: DataOptions
        @Flag(help: "Include released holds.") var all = false

        func run() async throws {
            let formatter = ISO8601DateFormatter()
            let desk = try await data.retentionOffice()
            let holds = try await desk.holds(activeOnly: !all)
            for hold in holds {
                let released = hold.releasedAt.map { "  released \(formatter.string(from: $0)) by \(StoredText.printable(hold.releasedBy ?? "?"))" } ?? ""
                print(
                    "\(hold.id)  \(hold.scope.rawValue) \(StoredText.printable(hold.subjectId))  by \(StoredText.printable(hold.placedBy)) "
                        + "\(formatter.string(from: hold.placedAt))  \"\(StoredText.printable(hold.reason))\"\(released)")
            }
            if holds.isEmpty { print("no holds") }
            for request in try await desk.pendingErasures() {
                print(
                    "pending erasure \(request.id)  customer \(StoredText.printable(request.customerId))  ref \(StoredText.printable(request.reference))  "
                        + "by \(StoredText.printable(request.requestedBy)) \(formatter.string(from: request.requestedAt))")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Export one customer's orders, transcripts and recordings (an access request).",
            discussion: "Writes DIR/manifest.json and DIR/recordings/*.opus (decrypted). The export is audited; the files are personal data: hand them over securely.")
        @OptionGroup var data: DataOptions
        @OptionGroup var officer: Officer
        @Option(help: "The customer id.") var customer: String
        @Option(name: .shortAndLong, help: "The folder to write (created if needed).") var output: String
        @Option(help: "Why, e.g. the access request's reference.") var reason: String = "access request"

        func run() async throws {
            let directory = URL(fileURLWithPath: output)
            let (manifest, audio) = try await data.retentionOffice().export(customerId: customer, reason: reason, officer: officer.officer)
            try manifest.write(to: directory, audio: audio)
            print("exported \(manifest.orders.count) orders, \(manifest.utterances.count) utterances, \(manifest.recordings.count) recordings to \(directory.path)/manifest.json")
        }
    }

    /// The named policy file, else ./retention.yaml if present, else the built-in policy.
    static func policy(_ path: String?) throws -> RetentionPolicy {
        if let path { return try RetentionPolicy.load(from: URL(fileURLWithPath: path)) }
        if FileManager.default.fileExists(atPath: "retention.yaml") { return try RetentionPolicy.load(from: URL(fileURLWithPath: "retention.yaml")) }
        return .builtIn
    }
}
