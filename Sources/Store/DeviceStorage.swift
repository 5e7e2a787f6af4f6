import Crypto
import Foundation

/// Where devices and their token hashes are kept: the SQLite database (`SQLiteDeviceStorage`) or
/// PostgreSQL (`PostgresDeviceStorage`), so a token issued on one node is known on every node.
public protocol DeviceStorage: Sendable {
    func register(
        name: String, customerId: String, pinRequired: Bool, dailySpendLimitMinorUnits: Int?, deviceClass: String
    ) async throws -> (device: Device, token: String)
    func device(forToken token: String) async throws -> Device?
    func device(id: String) async throws -> Device?
    @discardableResult
    func revoke(deviceId: String) async throws -> Bool
    func revoked(since date: Date) async throws -> [String]
    func all() async throws -> [Device]
}
