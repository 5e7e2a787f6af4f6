import Foundation
import PostgresStore
import Store
import Testing

/// Devices and their tokens on both backends, the same tests.
struct DeviceDirectoryTests {
    @Test(arguments: Backend.available)
    func tokensAuthenticateUntilTheDeviceIsRevoked(_ backend: Backend) async throws {
        try await backend.with(sqlite: { SQLiteDeviceStorage(database: $0) as any DeviceStorage }, postgres: { PostgresDeviceStorage(database: $0) }) { devices in
            let before = Date().addingTimeInterval(-1)
            let (hall, hallToken) = try await devices.register(
                name: "hall speaker", customerId: "c1", pinRequired: true, dailySpendLimitMinorUnits: 5_000, deviceClass: "speaker")
            let (line, lineToken) = try await devices.register(
                name: "shop line", customerId: "c1", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "phone")
            #expect(hall.tokenHash == SQLiteDeviceStorage.hash(hallToken) && hall.tokenHash != hallToken, "only the hash is kept")

            let found = try #require(try await devices.device(forToken: hallToken))
            #expect(found.id == hall.id && found.pinRequired && found.dailySpendLimitMinorUnits == 5_000 && !found.isRevoked)
            #expect(try await devices.device(forToken: lineToken)?.deviceClass == "phone")
            #expect(try await devices.device(forToken: SQLiteDeviceStorage.newToken()) == nil)
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
