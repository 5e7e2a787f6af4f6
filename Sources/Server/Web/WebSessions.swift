import Foundation
import Store

/// Short-lived tokens that let a browser open `/v1/voice` for one customer. The page never
/// holds a long-lived device token: it asks for one of these each time it connects. Tokens are
/// kept by their hash in `grants` (one node's memory, or the shared database) and open the
/// customer's `web` device, which is created on first use and whose own token nobody sees.
public final class WebSessions: Sendable {
    public struct Grant: Sendable {
        public var token: String
        public var expiresAt: Date
        public var customerId: String
    }

    private let devices: any DeviceStorage
    private let lifetime: TimeInterval
    private let clock: any WallClock
    /// SHA-256 of each live token → the device it opens and until when.
    private let grants: any WebGrants

    init(devices: any DeviceStorage, grants: any WebGrants, lifetime: TimeInterval, clock: any WallClock) {
        self.devices = devices
        self.grants = grants
        self.lifetime = lifetime
        self.clock = clock
    }

    /// Live tokens at most: an open demo endpoint must not let anyone fill the memory.
    static let maxLiveGrants = 10_000

    /// A token for the customer's web device, valid for the configured lifetime; nil when
    /// too many are live already.
    public func grant(customerId: String) async throws -> Grant? {
        let now = clock.now
        let device = try await webDevice(of: customerId)
        let token = "tsw_" + SQLiteDeviceStorage.newToken().dropFirst("tsk_".count)
        let expiresAt = now.addingTimeInterval(lifetime)
        let granted = try await grants.add(
            tokenHash: SQLiteDeviceStorage.hash(token), deviceId: device.id, expiresAt: expiresAt, now: now, maxLive: Self.maxLiveGrants)
        return granted ? Grant(token: token, expiresAt: expiresAt, customerId: customerId) : nil
    }

    /// The device an unexpired token opens (the page asks for a new token to reconnect).
    func device(forToken token: String) async throws -> Device? {
        guard let deviceId = try await grants.deviceId(forTokenHash: SQLiteDeviceStorage.hash(token), now: clock.now),
            let device = try await devices.device(id: deviceId), !device.isRevoked
        else { return nil }
        return device
    }

    /// Ends a token before it expires (the shop's back end logs the customer out, or the page
    /// leaves); false when it was not live. The caller ends the sessions opened with it.
    func revoke(token: String) async throws -> Bool {
        let hash = SQLiteDeviceStorage.hash(token)
        // An expired token is not live: ending it is a 404, though its row may still be there.
        let live = try await grants.deviceId(forTokenHash: hash, now: clock.now) != nil
        return try await grants.remove(tokenHash: hash) && live
    }

    private func webDevice(of customerId: String) async throws -> Device {
        if let device = try await devices.all().first(where: { $0.customerId == customerId && $0.deviceClass == "web" && !$0.isRevoked }) {
            return device
        }
        return try await devices.register(
            name: "web page", customerId: customerId, pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "web"
        ).device
    }
}
