import Foundation
import Synchronization

/// Counts open sessions per device and in total, and each device's recent utterances, to
/// enforce the session and rate limits.
public final class SessionRegistry: Sendable {
    private struct State {
        var perDevice: [String: Int] = [:]
        var total = 0
        var utteranceTimes: [String: [Date]] = [:]
    }

    private let state = Mutex(State())
    private let limits: ServerConfiguration.Limits

    public init(limits: ServerConfiguration.Limits) { self.limits = limits }

    public enum Refusal: Error, Equatable {
        case tooManyForDevice
        case tooManyInTotal
    }

    /// Reserves a slot for a new session, or says why not.
    public func admit(deviceId: String) throws(Refusal) {
        try state.withLock { (state: inout State) throws(Refusal) in
            guard state.total < limits.maxSessions else { throw .tooManyInTotal }
            guard state.perDevice[deviceId, default: 0] < limits.maxSessionsPerDevice else { throw .tooManyForDevice }
            state.total += 1
            state.perDevice[deviceId, default: 0] += 1
        }
    }

    /// Whether `admit` would succeed now (checked before accepting a WebSocket upgrade).
    public func canAdmit(deviceId: String) -> Bool {
        state.withLock { state in
            state.total < limits.maxSessions && state.perDevice[deviceId, default: 0] < limits.maxSessionsPerDevice
        }
    }

    public func release(deviceId: String) {
        state.withLock { state in
            state.total -= 1
            state.perDevice[deviceId, default: 1] -= 1
            if state.perDevice[deviceId] == 0 { state.perDevice[deviceId] = nil }
        }
    }

    public var openSessions: Int { state.withLock { $0.total } }

    /// Records an utterance; false when the device has used its budget for the last minute.
    public func allowUtterance(deviceId: String, at now: Date = Date()) -> Bool {
        state.withLock { state in
            let recent = (state.utteranceTimes[deviceId] ?? []).filter { now.timeIntervalSince($0) < 60 }
            guard recent.count < limits.utterancesPerMinutePerDevice else {
                state.utteranceTimes[deviceId] = recent
                return false
            }
            state.utteranceTimes[deviceId] = recent + [now]
            return true
        }
    }
}
