import Crypto
import Foundation
import GRDB

extension Device {
    /// A new device with a new token (the token is shown once and never stored).
    public static func issue(
        name: String, customerId: String, pinRequired: Bool, dailySpendLimitMinorUnits: Int?, deviceClass: String, at now: Date = Date()
    ) -> (device: Device, token: String) {
        let token = SQLiteDeviceStorage.newToken()
        let device = Device(
            id: UUID().uuidString.lowercased(), name: name, customerId: customerId, tokenHash: SQLiteDeviceStorage.hash(token),
            createdAt: now, revokedAt: nil, pinRequired: pinRequired, dailySpendLimitMinorUnits: dailySpendLimitMinorUnits,
            deviceClass: deviceClass)
        return (device, token)
    }
}

/// Registers devices, issues their tokens and checks them, in the SQLite database.
public struct SQLiteDeviceStorage: DeviceStorage {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Creates a device and returns it with its token; the token is shown once and never stored.
    public func register(
        name: String, customerId: String, pinRequired: Bool = false, dailySpendLimitMinorUnits: Int? = nil, deviceClass: String = "speaker"
    ) throws -> (device: Device, token: String) {
        let (device, token) = Device.issue(
            name: name, customerId: customerId, pinRequired: pinRequired, dailySpendLimitMinorUnits: dailySpendLimitMinorUnits,
            deviceClass: deviceClass)
        try database.writer.write { db in try device.insert(db) }
        return (device, token)
    }

    /// The device a token belongs to, or nil for an unknown token.
    public func device(forToken token: String) throws -> Device? {
        let hash = Self.hash(token)
        return try database.writer.read { db in
            try Device.filter(Device.Columns.tokenHash == hash).fetchOne(db)
        }
    }

    public func device(id: String) throws -> Device? {
        try database.writer.read { db in try Device.fetchOne(db, key: id) }
    }

    /// Revokes a device; false when there is no such device.
    @discardableResult
    public func revoke(deviceId: String) throws -> Bool {
        try database.writer.write { db in
            guard var device = try Device.fetchOne(db, key: deviceId) else { return false }
            device.revokedAt = Date()
            try device.update(db)
            return true
        }
    }

    /// Devices revoked at or after `date` (the server closes their open sessions).
    public func revoked(since date: Date) throws -> [String] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM device WHERE revokedAt >= ?", arguments: [date])
        }
    }

    public func all() throws -> [Device] {
        try database.writer.read { db in try Device.order(Device.Columns.createdAt).fetchAll(db) }
    }

    /// 32 random bytes, hex, with a prefix that makes a leaked token easy to recognise.
    public static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "tsk_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// SHA-256 of a token, as stored.
    public static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
