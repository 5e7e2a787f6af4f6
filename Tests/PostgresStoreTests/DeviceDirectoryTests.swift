import Foundation
import PostgresStore
import Store
import Testing

/// Devices and their tokens on both backends, the same tests.
struct DeviceDirectoryTests {
    /// A directory on a new, empty database of `backend`.
    static func withDirectory(_ backend: AuditTrailTests.Backend, _ body: (any DeviceDirectory) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            try await body(DeviceRegistry(database: try AppDatabase.inMemory()))
        case .postgres:
            try await PostgresMigratorTests.withDatabase { location in
                try await PostgresMigrator(location: location).migrate()
                try await body(PostgresDeviceRegistry(database: PostgresConnections(location: location)))
            }
        }
    }

    @Test(arguments: AuditTrailTests.backends)
    func tokensAuthenticateUntilTheDeviceIsRevoked(_ backend: AuditTrailTests.Backend) async throws {
        try await Self.withDirectory(backend) { devices in
            let before = Date().addingTimeInterval(-1)
            let (hall, hallToken) = try await devices.register(
                name: "hall speaker", customerId: "c1", pinRequired: true, dailySpendLimitMinorUnits: 5_000, deviceClass: "speaker")
            let (line, lineToken) = try await devices.register(
                name: "shop line", customerId: "c1", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "phone")
            #expect(hall.tokenHash == DeviceRegistry.hash(hallToken) && hall.tokenHash != hallToken, "only the hash is kept")

            let found = try #require(try await devices.device(forToken: hallToken))
            #expect(found.id == hall.id && found.pinRequired && found.dailySpendLimitMinorUnits == 5_000 && !found.isRevoked)
            #expect(try await devices.device(forToken: lineToken)?.deviceClass == "phone")
            #expect(try await devices.device(forToken: DeviceRegistry.newToken()) == nil)
            #expect(try await devices.device(id: line.id)?.name == "shop line")
            #expect(try await devices.all().map(\.id) == [hall.id, line.id])

            #expect(try await devices.revoke(deviceId: hall.id))
            #expect(try await devices.revoke(deviceId: "no-such-device") == false)
            #expect(try await devices.device(forToken: hallToken)?.isRevoked == true)
            #expect(try await devices.revoked(since: before) == [hall.id])
            #expect(try await devices.revoked(since: Date().addingTimeInterval(60)).isEmpty)
        }
    }
}
