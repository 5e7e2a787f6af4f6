import FrontEnd
import Grammar
import Recognition

/// Streams a recording through an `UtteranceStream` in 20 ms chunks, exactly as a device
/// session listens, and recognises each utterance found. The end of the audio counts as the
/// client's end of speech.
public enum StreamRecognition {
    /// The first utterance of a recording (a command recording holds one).
    public static func firstUtterance(
        _ samples: [Int16], recognizer: SpeechRecognizer, state: DialogState, endpointing: Endpointer.Configuration,
        frontEnd: AudioFrontEnd.Configuration = .init()
    ) async throws -> RecognitionResult {
        try await run(samples, recognizer: recognizer, state: state, endpointing: endpointing, frontEnd: frontEnd, continuous: false).first
            ?? .rejected(.noSpeech, audioSeconds: Double(samples.count) / 16_000)
    }

    /// Every utterance of a long recording, listening again after each one (an always-on
    /// device in a room with a TV: the worst case for false accepts).
    public static func run(
        _ samples: [Int16], recognizer: SpeechRecognizer, state: DialogState, endpointing: Endpointer.Configuration,
        frontEnd: AudioFrontEnd.Configuration = .init(), continuous: Bool
    ) async throws -> [RecognitionResult] {
        var stream = UtteranceStream(recognizer: recognizer, endpointing: endpointing, frontEnd: frontEnd, pacing: .recording)
        defer { stream.end() }
        var results: [RecognitionResult] = []
        for start in stride(from: 0, to: samples.count, by: UtteranceCollector.frameSamples) {
            let chunk = Array(samples[start..<min(start + UtteranceCollector.frameSamples, samples.count)])
            for event in await stream.append(chunk, state: state) {
                switch event {
                case .utterance(let utterance):
                    results.append(try await utterance.recognize(by: recognizer, state: state))
                    guard continuous else { return results }
                case .trouble(let error):
                    throw error
                case .speechStarted, .partial, .noSpeech:
                    break
                }
            }
        }
        if let utterance = stream.finish() {
            results.append(try await utterance.recognize(by: recognizer, state: state))
        }
        return results
    }
}
