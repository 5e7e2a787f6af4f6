import Recognition

/// Streams PCM through the endpointer in 20 ms chunks, as a device would, and recognises the
/// utterance it finds (the stream's end counts as the client's end of speech).
enum StreamingDecode {
    static func run(
        _ samples: [Int16], recognizer: SpeechRecognizer, state: String, endpointing: Endpointer.Configuration
    ) async throws -> RecognitionResult {
        var collector = UtteranceCollector(configuration: endpointing)
        var ending: UtteranceCollector.Event?
        for start in stride(from: 0, to: samples.count, by: UtteranceCollector.frameSamples) where ending == nil {
            let chunk = Array(samples[start..<min(start + UtteranceCollector.frameSamples, samples.count)])
            ending = collector.append(chunk).first { $0 != .speechStarted }
        }
        switch ending ?? collector.finish() {
        case .utterance(let utterance, _)?:
            return try await recognizer.recognize(utterance, state: state)
        default:
            return RecognitionResult(
                transcript: "", intent: nil, confidence: 0, rejection: .noSpeech, audioSeconds: Double(samples.count) / 16_000)
        }
    }
}
