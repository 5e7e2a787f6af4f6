/// How much CPU near-miss verification may take: a share of one core over the last minute.
/// A general-English search costs about half a CPU second per verified utterance, several
/// times the grammar search, so a server busy with many speakers would lose capacity to it.
/// Within the budget every utterance that asks is verified; past it, accepted utterances go
/// unverified (as with verification off) until older verifications leave the window.
///
/// A customer waits for a verification at most `longestWait`: on a loaded machine the niced
/// search can take many times its CPU time, and the utterance then goes on unverified.
///
/// Time is passed in, so tests need no clock.
public struct VerificationBudget: Sendable {
    /// The share of one core verification may use (0.05: 3 CPU s a minute).
    public let shareOfACore: Double
    public let window: Duration
    /// How long an utterance waits for its verification before going on without it.
    public let longestWait: Duration
    private var spent: [(at: ContinuousClock.Instant, time: Duration)] = []

    public init(shareOfACore: Double, window: Duration = .seconds(60), longestWait: Duration = .milliseconds(1_500)) {
        self.shareOfACore = shareOfACore
        self.window = window
        self.longestWait = longestWait
    }

    /// Time spent verifying within the window ending at `now`.
    public mutating func spent(at now: ContinuousClock.Instant) -> Duration {
        spent.removeAll { $0.at <= now - window }
        return spent.reduce(.zero) { $0 + $1.time }
    }

    /// Whether one more verification may start at `now`.
    public mutating func allows(at now: ContinuousClock.Instant) -> Bool {
        spent(at: now) < window * shareOfACore
    }

    /// A verification that ended at `now` took `time`.
    public mutating func record(_ time: Duration, at now: ContinuousClock.Instant) {
        spent.append((now, time))
    }
}
