import Grammar
import Recognition
import VoiceProtocol

/// Commands given without audio: typed text from chat channels, and phone keys. They join
/// the same conversation as speech, under the same start and rate limit.
extension VoiceSession {
    /// Typed input: the same conversation by text, for chat channels.
    mutating func interpret(typed: String) async -> Output {
        let interpreter = services.recognizer.interpreter
        return await command(given: "text") { state in
            let intent = try interpreter.interpret(typed, state: state)
            return RecognitionResult(
                transcript: IntentInterpreter.words(in: typed).joined(separator: " "), intent: intent,
                confidence: intent == nil ? 0 : 1, rejection: intent == nil ? .noMatch : nil, audioSeconds: 0)
        }
    }

    /// A key pressed on a phone's keypad, which the bridge already knows the meaning of:
    /// acted on like a typed command, with no words to parse. Its text never holds the key
    /// pressed (a PIN's digits are secret).
    mutating func handle(keyed intent: Intent) async -> Output {
        await command(given: "keys") { _ in
            RecognitionResult(transcript: intent.text, intent: intent, confidence: 1, rejection: nil, audioSeconds: 0)
        }
    }

    /// A command given without audio (`given`: typed text or keys): held to the same start
    /// and rate limit as an utterance, then acted on. `result` reads it in the current state.
    private mutating func command(given: String, _ result: (DialogState) throws -> RecognitionResult) async -> Output {
        guard conversationId != nil else { return failure(.notStarted, "send a start message before \(given)") }
        guard await withinRateLimit() else { return Output(events: rateLimited()) }
        utterances += 1
        do {
            let heard = try result(state)
            return Output(events: await events(for: heard, spoken: nil) + [listening])
        } catch {
            return failure(.internalError, "\(error)")
        }
    }
}
