import Foundation
import Synchronization

/// The session and rate limits of one node, counted in its memory: open sessions per device
/// and in total, and each device's utterances per minute. The rules are `SessionLimitValues`'s,
/// as on PostgreSQL (`PostgresSessionLimits`).
public final class MemorySessionLimits: SessionLimits {
    private struct State {
        var perDevice: [String: Int] = [:]
        var total = 0
        /// Per device: utterances counted by minute, this minute's and the one before.
        var utterances: [String: [Int: Int]] = [:]
    }

    private let state = Mutex(State())
    private let limits: SessionLimitValues

    public init(limits: SessionLimitValues) { self.limits = limits }

    public func admit(deviceId: String) throws -> SessionSlot {
        try state.withLock { (state: inout State) throws(SessionRefusal) in
            if let refusal = limits.refusal(openInTotal: state.total, openForDevice: state.perDevice[deviceId, default: 0]) { throw refusal }
            state.total += 1
            state.perDevice[deviceId, default: 0] += 1
        }
        return SessionSlot(deviceId: deviceId)
    }

    public func canAdmit(deviceId: String) -> Bool {
        state.withLock { state in
            limits.refusal(openInTotal: state.total, openForDevice: state.perDevice[deviceId, default: 0]) == nil
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
            let minute = SessionLimitValues.minute(of: now)
            let counts = (state.utterances[deviceId] ?? [:]).filter { $0.key >= minute - 1 }
            state.utterances[deviceId] = counts
            guard limits.allowsUtterance(thisMinute: counts[minute, default: 0], previousMinute: counts[minute - 1, default: 0], at: now)
            else { return false }
            state.utterances[deviceId, default: [:]][minute, default: 0] += 1
            return true
        }
    }
}
