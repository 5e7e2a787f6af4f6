import Foundation

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
