import Grammar
import Recognition

/// A benchmark label: the intent and slot values a recording must yield.
public struct CommandLabel: Sendable, Codable, Equatable {
    public var intent: String
    public var slots: [String: String]
}

/// Command acceptance as the Picovoice benchmark scores it: a recording counts only if the
/// intent and every labelled slot value are exactly right (and nothing extra was filled).
public enum AccuracyScore {
    public static func isCorrect(_ result: RecognitionResult, label: CommandLabel) -> Bool {
        guard let intent = result.intent, result.rejection == nil else { return false }
        return intent.name == label.intent && intent.slots == label.slots
    }
}
