import Foundation
import PostgresStore
import Store
import Testing

/// Admin API tokens on both backends, the same tests.
struct StaffDirectoryTests {
    @Test(arguments: Backend.available)
    func aTokenWorksUntilRevokedAndOnlyItsHashIsKept(_ backend: Backend) async throws {
        try await backend.with(sqlite: { SQLiteStaffStorage(database: $0) as any StaffStorage }, postgres: { PostgresStaffStorage(database: $0) }) { staff in
            let (olga, olgaToken) = try await staff.issue(name: "Olga", role: .officer)
            let (_, opToken) = try await staff.issue(name: "Oskar", role: .operator)
            #expect(olgaToken.hasPrefix("tss_") && olga.tokenHash == SQLiteDeviceStorage.hash(olgaToken))
            #expect(try await staff.staff(forToken: olgaToken)?.role == .officer)
            #expect(try await staff.staff(forToken: opToken)?.name == "Oskar")
            #expect(try await staff.staff(forToken: "tss_unknown") == nil)
            await #expect(throws: RetentionOffice.Refusal.self) { try await staff.issue(name: "  ", role: .backend) }

            #expect(try await staff.revoke(id: olga.id))
            #expect(try await staff.revoke(id: olga.id) == false, "a token is revoked once")
            #expect(try await staff.staff(forToken: olgaToken) == nil)
            #expect(try await staff.all().map(\.name) == ["Olga", "Oskar"])
        }
    }
}
