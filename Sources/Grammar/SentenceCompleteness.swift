/// Whether words heard so far make a sentence of the grammar (`IntentInterpreter.completeness`).
public enum SentenceCompleteness: Sendable, Equatable {
    /// Not a sentence yet ("a large", "can i get").
    case incomplete
    /// A sentence that may go on: "a large latte" (… "with oat milk"), "yes" (… "please").
    case complete
    /// A sentence no sentence goes on from: "no", "a latte with oat milk and sugar".
    case finished
}
