/// How much CPU near-miss verification may take: a share of one core over the last minute.
/// A general-English search costs about 0.7 CPU s per verified utterance, several times the
/// grammar search, so a server busy with many speakers would lose capacity to it. Within the
/// budget every utterance that asks is verified; past it, accepted utterances go unverified
/// (as with verification off) until older verifications leave the window.
///
/// Time is passed in, so tests need no clock.
public struct VerificationBudget: Sendable {
    /// The share of one core verification may use (0.05: 3 CPU s a minute).
    public let shareOfACore: Double
    public let window: Duration
    private var spent: [(at: ContinuousClock.Instant, seconds: Double)] = []

    public init(shareOfACore: Double, window: Duration = .seconds(60)) {
        self.shareOfACore = shareOfACore
        self.window = window
    }

    /// Seconds spent within the window ending at `now`.
    public mutating func spentSeconds(at now: ContinuousClock.Instant) -> Double {
        spent.removeAll { $0.at <= now - window }
        return spent.reduce(0) { $0 + $1.seconds }
    }

    /// Whether one more verification may start at `now`.
    public mutating func allows(at now: ContinuousClock.Instant) -> Bool {
        spentSeconds(at: now) < shareOfACore * Double(window.components.seconds)
    }

    /// A verification that ended at `now` took `seconds`.
    public mutating func record(_ seconds: Double, at now: ContinuousClock.Instant) {
        spent.append((now, seconds))
    }
}
