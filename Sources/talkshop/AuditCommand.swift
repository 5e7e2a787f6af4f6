import ArgumentParser
import Foundation
import Store

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read and verify the audit trail (who did what to personal data, when and why; never the content).",
        subcommands: [List.self, Verify.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List audit entries, oldest first.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let entries = try await data.auditTrail().entries()
            for entry in entries {
                let shown = [entry.actor, entry.action, entry.subject, entry.countsJSON].map(StoredText.printable)
                print("\(entry.sequence)  \(formatter.string(from: entry.at))  \(shown.joined(separator: "  "))  \"\(StoredText.printable(entry.reason))\"")
            }
            if entries.isEmpty { print("no audit entries") }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the hash chain; exit status 1 if any entry was changed, removed or reordered.",
            discussion: """
                Prints the head (the newest entry's hash). Record it somewhere else; passing it later
                with --expect-head also catches entries removed from the end of the trail.
                """)
        @OptionGroup var data: DataOptions
        @Option(help: "A head hash recorded earlier.") var expectHead: String?

        func run() async throws {
            switch try await data.auditTrail().verify(expectedHead: expectHead) {
            case .intact(let count, let head):
                print("audit trail intact: \(count) entries, head \(head)")
            case .broken(let position, let reason):
                print("audit trail BROKEN at entry \(position): \(reason)")
                throw ExitCode(1)
            }
        }
    }
}
