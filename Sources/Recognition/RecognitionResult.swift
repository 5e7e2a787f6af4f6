import Grammar

/// Why an utterance was not turned into an intent.
public enum Rejection: String, Sendable, Codable, Equatable {
    /// Nothing was said (or only noise too quiet to be speech).
    case noSpeech = "no_speech"
    /// The decoder found no grammar path, or its words match no intent.
    case noMatch = "no_match"
    /// A grammar sentence was the best guess, but the audio fits it too poorly to act on.
    case lowConfidence = "low_confidence"
}

/// The outcome of recognising one utterance.
public struct RecognitionResult: Sendable, Equatable, Codable {
    /// The decoder's words (empty when nothing was heard).
    public var transcript: String
    /// The intent, only when accepted.
    public var intent: Intent?
    /// In [0, 1]; see `ConfidenceScorer`.
    public var confidence: Double
    public var rejection: Rejection?
    public var audioSeconds: Double
    /// What the confidence was computed from (nil when nothing was decoded).
    public var evidence: ConfidenceScorer.Evidence?

    public init(
        transcript: String, intent: Intent?, confidence: Double, rejection: Rejection?, audioSeconds: Double,
        evidence: ConfidenceScorer.Evidence? = nil
    ) {
        self.transcript = transcript
        self.intent = intent
        self.confidence = confidence
        self.rejection = rejection
        self.audioSeconds = audioSeconds
        self.evidence = evidence
    }

    public static func rejected(_ rejection: Rejection, audioSeconds: Double) -> RecognitionResult {
        RecognitionResult(transcript: "", intent: nil, confidence: 0, rejection: rejection, audioSeconds: audioSeconds)
    }

    public var isAccepted: Bool { intent != nil && rejection == nil }
}
