import Foundation
import PostgresStore
import Store
import Testing

/// Admin API tokens on both backends, the same tests.
struct StaffDirectoryTests {
    static func withDirectory(_ backend: AuditTrailTests.Backend, _ body: (any StaffDirectory) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            try await body(StaffTokens(database: try AppDatabase.inMemory()))
        case .postgres:
            try await PostgresMigratorTests.withDatabase { location in
                try await PostgresMigrator(location: location).migrate()
                try await body(PostgresStaffTokens(database: PostgresConnections(location: location)))
            }
        }
    }

    @Test(arguments: AuditTrailTests.backends)
    func aTokenWorksUntilRevokedAndOnlyItsHashIsKept(_ backend: AuditTrailTests.Backend) async throws {
        try await Self.withDirectory(backend) { staff in
            let (olga, olgaToken) = try await staff.issue(name: "Olga", role: .officer)
            let (_, opToken) = try await staff.issue(name: "Oskar", role: .operator)
            #expect(olgaToken.hasPrefix("tss_") && olga.tokenHash == DeviceRegistry.hash(olgaToken))
            #expect(try await staff.staff(forToken: olgaToken)?.role == .officer)
            #expect(try await staff.staff(forToken: opToken)?.name == "Oskar")
            #expect(try await staff.staff(forToken: "tss_unknown") == nil)
            await #expect(throws: RetentionDesk.Refusal.self) { try await staff.issue(name: "  ", role: .backend) }

            #expect(try await staff.revoke(id: olga.id))
            #expect(try await staff.revoke(id: olga.id) == false, "a token is revoked once")
            #expect(try await staff.staff(forToken: olgaToken) == nil)
            #expect(try await staff.all().map(\.name) == ["Olga", "Oskar"])
        }
    }
}
