import ArgumentParser
import Foundation
import Store

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff",
        abstract: "Issue, list and revoke tokens for the admin HTTP API (/admin/v1, docs/admin-openapi.yaml).",
        discussion: """
            Roles: officer (compliance officer: holds, purges, erasure, sweeps, exports, audit)
            and operator (may read holds and the audit trail; changes nothing). Device tokens
            never reach /admin.
            """,
        subcommands: [Add.self, List.self, Revoke.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a token for a person and print it (shown once).")
        @OptionGroup var data: DataOptions
        @Option(help: "The person's name; it is the actor in the audit trail.") var name: String
        @Option(help: "officer, operator, or backend (a shop's web back end: starts web sessions only).") var role: String

        func run() async throws {
            guard let role = StaffToken.Role(rawValue: role) else { throw UsageError("--role takes officer, operator or backend") }
            let (staff, token) = try await data.stores().staff.issue(name: name, role: role)
            print("staff \(staff.id) '\(staff.name)' (\(staff.role.rawValue))\ntoken: \(token)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List staff tokens (the tokens themselves are never shown again).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let all = try await data.stores().staff.all()
            for staff in all {
                print("\(staff.id)  \(staff.name)  \(staff.role.rawValue)\(staff.revokedAt == nil ? "" : "  (revoked)")")
            }
            if all.isEmpty { print("no staff tokens") }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a staff token at once.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The staff id.") var id: String

        func run() async throws {
            guard try await data.stores().staff.revoke(id: id) else { throw UsageError("no active staff token \(id)") }
            print("revoked \(id)")
        }
    }
}
