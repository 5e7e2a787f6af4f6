import FrontEnd
import Grammar
import Recognition

/// Streams PCM through the front end and the endpointer in 20 ms chunks, exactly as a device
/// session does, and recognises each utterance found, searching it while it streams (in 100 ms
/// pieces) on a decoder lent by the pool when one is free. The end of the audio counts as the
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
        frontEnd configuration: AudioFrontEnd.Configuration = .init(), continuous: Bool
    ) async throws -> [RecognitionResult] {
        var results: [RecognitionResult] = []
        var collector = UtteranceCollector(configuration: endpointing)
        var streamed: StreamingUtterance?
        let frontEnd = AudioFrontEnd(configuration: configuration)
        let chunk = UtteranceCollector.frameSamples
        // Output samples of the front end when the collector started (utterances are placed by it).
        var collectorOrigin = 0
        func retained(_ utterance: [Int16]) -> Double? {
            let start = collectorOrigin + collector.utteranceStart
            return frontEnd.retainedDecibels(over: start..<(start + utterance.count))
        }
        for start in stride(from: 0, to: samples.count, by: chunk) {
            let heard = try await frontEnd.process(Array(samples[start..<min(start + chunk, samples.count)]), mayChange: collector.state == .waiting)
            for event in collector.append(heard) {
                switch event {
                case .speechStarted:
                    streamed = try await recognizer.pool(denoised: frontEnd.isDenoising).beginUtterance(state: state, partials: endpointing.endsSentencesSooner)
                case .utterance(let utterance, _):
                    streamed?.feed(collector.takeUnstreamed())
                    results.append(try await recognizer.recognize(utterance, state: state, streamed: streamed, retainedDecibels: retained(utterance)))
                    streamed = nil
                case .noSpeech:
                    break
                }
            }
            let piece = collector.takeUnstreamed(minimum: 1_600)
            let searchNow = collector.needsWordsSoon
            if let streamed, !piece.isEmpty || searchNow {
                streamed.feed(piece, searchNow: searchNow)
                if endpointing.endsSentencesSooner {
                    collector.sentence = recognizer.completeness(of: await streamed.searchedWords(), state: state)
                }
            }
            if collector.state == .ended {
                guard continuous else { return results }
                collector = UtteranceCollector(configuration: endpointing)
                collectorOrigin = frontEnd.producedSamples
            }
        }
        if case .utterance(let utterance, _)? = collector.finish() {
            streamed?.feed(collector.takeUnstreamed())
            results.append(try await recognizer.recognize(utterance, state: state, streamed: streamed, retainedDecibels: retained(utterance)))
        }
        return results
    }
}
