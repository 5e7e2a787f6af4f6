import Foundation

/// The clock that answer windows, token lifetimes, PIN lockouts and idle timeouts are measured
/// on. The server uses the system's; tests inject one they advance, so that an
/// expiry is tested by moving time, not by racing it.
public protocol WallClock: Sendable {
    var now: Date { get }
}

public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}
