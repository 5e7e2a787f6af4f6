import FrontEnd
import Recognition

/// Where the front end and endpointer put the first utterance of a recording, in samples of
/// the recording (pre-roll and trailing silence included, as the decoder gets them): for
/// checking that endpointing holds up in noise against the same recording clean.
public enum EndpointProbe {
    public struct Boundaries: Sendable, Equatable {
        public var start: Int
        public var end: Int
        /// Ended by the trailing silence, not by the end of the recording (or the length limit).
        public var endedBySilence: Bool
    }

    public static func first(
        _ samples: [Int16], endpointing: Endpointer.Configuration, frontEnd configuration: AudioFrontEnd.Configuration
    ) async throws -> Boundaries? {
        var collector = UtteranceCollector(configuration: endpointing)
        let frontEnd = AudioFrontEnd(configuration: configuration)
        let chunk = UtteranceCollector.frameSamples
        for start in stride(from: 0, to: samples.count, by: chunk) {
            let heard = try await frontEnd.process(Array(samples[start..<min(start + chunk, samples.count)]), mayChange: collector.state == .waiting)
            for event in collector.append(heard) {
                switch event {
                case .speechStarted: break
                case .utterance(let utterance, let reason):
                    let begin = collector.utteranceStart + frontEnd.lag
                    return Boundaries(start: begin, end: begin + utterance.count, endedBySilence: reason == .silence)
                case .noSpeech: return nil
                }
            }
        }
        if case .utterance(let utterance, _)? = collector.finish() {
            let begin = collector.utteranceStart + frontEnd.lag
            return Boundaries(start: begin, end: begin + utterance.count, endedBySilence: false)
        }
        return nil
    }
}
