import Foundation
import Recognition
import Testing

struct UtteranceCollectorTests {
    /// Silence, a 1 s tone burst, silence: 16 kHz samples.
    static let signal: [Int16] = {
        let quiet = [Int16](repeating: 0, count: 16_000)
        let tone = (0..<16_000).map { Int16(8_000 * sin(Double($0) * 0.2)) }
        return quiet + tone + quiet
    }()

    @Test(arguments: [320, 1, 333, 4_096])
    func chunkSizeDoesNotChangeTheUtterance(chunk: Int) {
        var collector = UtteranceCollector()
        var utterance: [Int16]?
        for start in stride(from: 0, to: Self.signal.count, by: chunk) {
            for case .utterance(let samples, let reason) in collector.append(Array(Self.signal[start..<min(start + chunk, Self.signal.count)])) {
                utterance = samples
                #expect(reason == .silence)
            }
        }
        // 300 ms pre-roll + 1 s tone + 700 ms trailing silence, in whole 20 ms frames.
        #expect(utterance?.count == 32_000)
    }

    @Test func finishingMidSpeechGivesTheUtteranceSoFar() {
        var collector = UtteranceCollector()
        _ = collector.append(Array(Self.signal[0..<24_000]))
        guard case .utterance(let samples, let reason)? = collector.finish() else {
            Issue.record("expected an utterance")
            return
        }
        #expect(reason == .client)
        #expect(samples.count >= 8_000)
    }

    @Test func finishingBeforeSpeechIsNoSpeech() {
        var collector = UtteranceCollector()
        _ = collector.append([Int16](repeating: 0, count: 8_000))
        #expect(collector.finish() == .noSpeech)
    }

    @Test(arguments: [320, 333, 4_096])
    func theUnstreamedSamplesAddUpToTheUtteranceAndItsPlaceInTheStream(chunk: Int) {
        var collector = UtteranceCollector()
        var taken: [Int16] = []
        var utterance: [Int16]?
        for start in stride(from: 0, to: Self.signal.count, by: chunk) where utterance == nil {
            for case .utterance(let samples, _) in collector.append(Array(Self.signal[start..<min(start + chunk, Self.signal.count)])) {
                utterance = samples
            }
            taken += collector.takeUnstreamed(minimum: utterance == nil ? 1_600 : 0)
        }
        let samples = try! #require(utterance)
        #expect(taken == samples, "pieces taken while speaking, then the rest, are the utterance")
        // The tone starts at 1 s; the 300 ms pre-roll comes before it.
        #expect(collector.utteranceStart == 16_000 - 4_800)
        #expect(Array(Self.signal[collector.utteranceStart..<(collector.utteranceStart + samples.count)]) == samples)
        #expect(collector.takeUnstreamed().isEmpty)
    }
}
