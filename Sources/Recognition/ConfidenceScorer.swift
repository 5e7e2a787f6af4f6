/// Turns a decoder hypothesis into a confidence in [0, 1] and decides whether to act on it.
public struct ConfidenceScorer: Sendable, Equatable {
    /// Results below this are rejected as `low_confidence`.
    public var threshold: Double

    public init(threshold: Double = 0.5) {
        self.threshold = threshold
    }

    public func confidence(of hypothesis: SpeechDecoder.Hypothesis) -> Double {
        hypothesis.confidence
    }
}
