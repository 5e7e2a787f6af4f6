import Foundation

/// Where the session and rate limits are counted: in one node's memory (`SessionRegistry`, the
/// server's) or in PostgreSQL (`PostgresSessionLimits`), so that the limits hold for a device
/// whichever nodes its sessions reach.
public protocol SessionLimits: Sendable {
    /// Reserves a slot for a new session of `deviceId`: the slot's id, to release, or why not.
    func admit(deviceId: String) async throws -> SessionSlot
    /// Whether `admit` would succeed now (checked before accepting a WebSocket upgrade).
    func canAdmit(deviceId: String) async throws -> Bool
    func release(_ slot: SessionSlot) async
    /// Records an utterance; false when the device has used its budget for the last minute.
    func allowUtterance(deviceId: String, at now: Date) async throws -> Bool
}

/// A session's place in the limits, from `SessionLimits.admit`.
public struct SessionSlot: Sendable, Equatable {
    public var id: String
    public var deviceId: String

    public init(id: String = UUID().uuidString.lowercased(), deviceId: String) {
        self.id = id
        self.deviceId = deviceId
    }
}

/// Why a session was not admitted.
public enum SessionRefusal: Error, Equatable, Sendable {
    case tooManyForDevice
    case tooManyInTotal
}

/// The limits themselves, as configured (`limits:` in the server's settings).
public struct SessionLimitValues: Sendable, Equatable {
    public var maxSessions: Int
    public var maxSessionsPerDevice: Int
    public var utterancesPerMinutePerDevice: Int

    public init(maxSessions: Int, maxSessionsPerDevice: Int, utterancesPerMinutePerDevice: Int) {
        self.maxSessions = maxSessions
        self.maxSessionsPerDevice = maxSessionsPerDevice
        self.utterancesPerMinutePerDevice = utterancesPerMinutePerDevice
    }
}
