import Foundation
import Logging
import PostgresNIO
import Store

/// Devices and their token hashes in PostgreSQL: a token issued on one node authenticates on
/// every node, and a revocation made on one is seen by all (`revoked(since:)`).
public struct PostgresDeviceStorage: DeviceStorage {
    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    public func register(
        name: String, customerId: String, pinRequired: Bool = false, dailySpendLimitMinorUnits: Int? = nil, deviceClass: String = "speaker"
    ) async throws -> (device: Device, token: String) {
        let (device, token) = Device.issue(
            name: name, customerId: customerId, pinRequired: pinRequired, dailySpendLimitMinorUnits: dailySpendLimitMinorUnits,
            deviceClass: deviceClass)
        try await database.withConnection { connection, logger in
            try await connection.query(
                """
                INSERT INTO "device" ("id", "name", "customerId", "tokenHash", "createdAt", "revokedAt", "pinRequired", "dailySpendLimitMinorUnits", "deviceClass")
                VALUES (\(device.id), \(device.name), \(device.customerId), \(device.tokenHash), \(device.createdAt), \(device.revokedAt),
                        \(device.pinRequired), \(device.dailySpendLimitMinorUnits), \(device.deviceClass))
                """, logger: logger)
        }
        return (device, token)
    }

    public func device(forToken token: String) async throws -> Device? {
        try await devices(where: #""tokenHash" = $1"#, SQLiteDeviceStorage.hash(token)).first
    }

    public func device(id: String) async throws -> Device? {
        try await devices(where: #""id" = $1"#, id).first
    }

    @discardableResult
    public func revoke(deviceId: String) async throws -> Bool {
        try await database.withConnection { connection, logger in
            try await connection.returnsRows(
                #"UPDATE "device" SET "revokedAt" = \#(Date()) WHERE "id" = \#(deviceId) RETURNING "id""#, logger: logger)
        }
    }

    public func revoked(since date: Date) async throws -> [String] {
        try await devices(where: #""revokedAt" >= $1"#, date).map(\.id)
    }

    public func all() async throws -> [Device] {
        try await devices(where: "TRUE")
    }

    private func devices(where condition: String, _ value: (any PostgresEncodable & Sendable)? = nil) async throws -> [Device] {
        try await database.withConnection { connection, logger in
            let query = try PostgresQuery.selecting(
                """
                SELECT "id", "name", "customerId", "tokenHash", "createdAt", "revokedAt", "pinRequired", "dailySpendLimitMinorUnits", "deviceClass"
                FROM "device" WHERE \(condition) ORDER BY "createdAt", "id"
                """, value.map { [$0] } ?? [])
            var devices: [Device] = []
            for try await (id, name, customerId, tokenHash, createdAt, revokedAt, pinRequired, limit, deviceClass) in try await connection.query(
                query, logger: logger
            ).decode((String, String, String, String, Date, Date?, Bool, Int?, String).self) {
                devices.append(Device(
                    id: id, name: name, customerId: customerId, tokenHash: tokenHash, createdAt: createdAt, revokedAt: revokedAt,
                    pinRequired: pinRequired, dailySpendLimitMinorUnits: limit, deviceClass: deviceClass))
            }
            return devices
        }
    }
}
