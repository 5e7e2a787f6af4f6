import Grammar
import Recognition
import TalkshopTesting
import Testing

/// The stream a device session and the benchmarks listen through.
struct UtteranceStreamTests {
    static let clip = TestPaths.coffeeDev.appendingPathComponent("02b77977-ada7-4f37-a1b3-8cb433c8c8da.opus")

    /// Feeds `samples` in 20 ms chunks; returns the utterances found, and whether the stream
    /// reported any trouble.
    static func utterances(in samples: [Int16], state: DialogState) async -> (utterances: [UtteranceStream.Utterance], troubled: Bool) {
        var stream = UtteranceStream(recognizer: RecognizerTests.recognizer, endpointing: .init(), pacing: .recording)
        var found: [UtteranceStream.Utterance] = []
        var troubled = false
        for start in stride(from: 0, to: samples.count, by: 320) {
            for event in await stream.append(Array(samples[start..<min(start + 320, samples.count)]), state: state) {
                if case .utterance(let utterance) = event { found.append(utterance) }
                if case .trouble = event { troubled = true }
            }
        }
        if let last = stream.finish() { found.append(last) }
        return (found, troubled)
    }

    @Test func eachUtteranceIsPlacedInTheAudioAsReceived() async throws {
        let command = try RecognizerTests.pcm(Self.clip)
        let second = 16_000 + command.count + 32_000
        let audio = [Int16](repeating: 0, count: 16_000) + command + [Int16](repeating: 0, count: 32_000) + command
            + [Int16](repeating: 0, count: 16_000)
        let (found, troubled) = await Self.utterances(in: audio, state: .main)
        #expect(!troubled)
        try #require(found.count == 2, "\(found.map(\.received))")
        // A quiet room is not denoised: an utterance is exactly the audio received there.
        for utterance in found { #expect(utterance.samples == Array(audio[utterance.received])) }
        #expect(found[0].received.overlaps(16_000..<(16_000 + command.count)))
        #expect(found[1].received.overlaps(second..<(second + command.count)))
        #expect(found[0].received.upperBound < found[1].received.lowerBound)
        for utterance in found {
            let result = try await utterance.recognize(by: RecognizerTests.recognizer, state: .main)
            #expect(result.intent?.slots["coffeeDrink"] == "iced mocha", "\(result)")
        }
    }

    @Test func anUtteranceSearchedInAnotherStateIsDecodedWholeInTheNewOne() async throws {
        let command = try RecognizerTests.pcm(Self.clip)
        // Spoken while a yes or no was awaited; the window ran out before it was recognised.
        let (found, _) = await Self.utterances(in: [Int16](repeating: 0, count: 8_000) + command, state: .confirmation)
        let utterance = try #require(found.first)
        let result = try await utterance.recognize(by: RecognizerTests.recognizer, state: .main)
        #expect(result.intent?.name == "orderDrink", "\(result)")
    }
}
