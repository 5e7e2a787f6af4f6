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

extension SessionLimitValues {
    /// Why a new session of a device may not open, given the sessions open now in total and
    /// of the device (the total is judged first); nil when it may.
    public func refusal(openInTotal total: Int, openForDevice forDevice: Int) -> SessionRefusal? {
        if total >= maxSessions { return .tooManyInTotal }
        if forDevice >= maxSessionsPerDevice { return .tooManyForDevice }
        return nil
    }

    /// Whether one more utterance fits the device's budget for the last 60 seconds, counted
    /// per minute (`minute(of:)`): this minute's count plus the previous minute's, weighted by
    /// how much of it is still within 60 seconds, rounded up (so a burst across a minute's end
    /// is not let through twice).
    public func allowsUtterance(thisMinute current: Int, previousMinute previous: Int, at now: Date) -> Bool {
        let minutes = now.timeIntervalSince1970 / 60
        let stillCounted = 1 - (minutes - minutes.rounded(.down))
        return (Double(previous) * stillCounted + Double(current)).rounded(.up) < Double(utterancesPerMinutePerDevice)
    }

    /// The minute an utterance is counted in.
    public static func minute(of date: Date) -> Int { Int((date.timeIntervalSince1970 / 60).rounded(.down)) }
}
