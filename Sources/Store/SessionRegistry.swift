import Foundation
import Synchronization

/// The session and rate limits of one node, counted in its memory: open sessions per device
/// and in total, and each device's utterances in the last 60 seconds.
public final class SessionRegistry: SessionLimits {
    private struct State {
        var perDevice: [String: Int] = [:]
        var total = 0
        var utteranceTimes: [String: [Date]] = [:]
    }

    private let state = Mutex(State())
    private let limits: SessionLimitValues

    public init(limits: SessionLimitValues) { self.limits = limits }

    public func admit(deviceId: String) throws -> SessionSlot {
        try state.withLock { (state: inout State) throws(SessionRefusal) in
            guard state.total < limits.maxSessions else { throw .tooManyInTotal }
            guard state.perDevice[deviceId, default: 0] < limits.maxSessionsPerDevice else { throw .tooManyForDevice }
            state.total += 1
            state.perDevice[deviceId, default: 0] += 1
        }
        return SessionSlot(deviceId: deviceId)
    }

    public func canAdmit(deviceId: String) -> Bool {
        state.withLock { state in
            state.total < limits.maxSessions && state.perDevice[deviceId, default: 0] < limits.maxSessionsPerDevice
        }
    }

    public func release(_ slot: SessionSlot) {
        state.withLock { state in
            state.total -= 1
            state.perDevice[slot.deviceId, default: 1] -= 1
            if state.perDevice[slot.deviceId] == 0 { state.perDevice[slot.deviceId] = nil }
        }
    }

    public var openSessions: Int { state.withLock { $0.total } }

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
