import Foundation
import Grammar
import Recognition
import Testing

/// The endpointer state machine on synthetic frame levels (20 ms frames).
struct EndpointerTests {
    static let silence = -70.0
    static let speech = -20.0

    /// Feeds levels; returns each event with the index of the frame that caused it.
    func run(_ levels: [Double], configuration: Endpointer.Configuration = .init()) -> [(Int, Endpointer.Event)] {
        var endpointer = Endpointer(configuration: configuration)
        return levels.enumerated().compactMap { index, level in endpointer.process(frameDecibels: level).map { (index, $0) } }
    }

    func frames(_ level: Double, _ count: Int) -> [Double] { Array(repeating: level, count: count) }

    @Test func speechStartsAfterTheMinimumAndEndsAfterTrailingSilence() {
        let events = run(frames(Self.silence, 25) + frames(Self.speech, 50) + frames(Self.silence, 60))
        #expect(events.count == 2)
        // 100 ms minimum speech = 5 frames: speech from frame 25 is confirmed at frame 29.
        #expect(events.first?.0 == 29)
        #expect(events.first?.1 == .speechStarted(preRollFrames: 4 + 15))
        // 700 ms trailing silence = 35 frames after speech ends at frame 74.
        #expect(events.last?.0 == 75 + 34)
        #expect(events.last?.1 == .speechEnded(.silence))
    }

    @Test func aPauseShorterThanTheTrailingSilenceDoesNotEndTheUtterance() {
        // "a large latte … (0.5 s) … with oat milk"
        let levels = frames(Self.silence, 20) + frames(Self.speech, 40) + frames(Self.silence, 25)
            + frames(Self.speech, 40) + frames(Self.silence, 40)
        let events = run(levels)
        #expect(events.map(\.1) == [.speechStarted(preRollFrames: 19), .speechEnded(.silence)])
        #expect(events.last!.0 > 125)
    }

    /// Speech, then silence, with the caller saying after `completeAfter` frames how complete
    /// the words are (as a session does from the search's best path).
    func runTellingCompleteness(
        _ completeness: SentenceCompleteness, configuration: Endpointer.Configuration = .init()
    ) -> [(Int, Endpointer.Event)] {
        var endpointer = Endpointer(configuration: configuration)
        let levels = frames(Self.silence, 20) + frames(Self.speech, 40) + frames(Self.silence, 60)
        return levels.enumerated().compactMap { index, level in
            if index == 60 { endpointer.sentence = completeness }
            return endpointer.process(frameDecibels: level).map { (index, $0) }
        }
    }

    @Test func aFinishedSentenceEndsAfterTheShorterSilence() {
        let events = runTellingCompleteness(.finished)
        #expect(events.last?.1 == .speechEnded(.completeSentence))
        // 250 ms = 13 frames after speech ends at frame 59.
        #expect(events.last?.0 == 60 + 12)
    }

    @Test func aSentenceThatMayGoOnWaitsTheWholeSilenceByDefault() {
        #expect(runTellingCompleteness(.complete).last?.1 == .speechEnded(.silence))
        #expect(runTellingCompleteness(.incomplete).last?.0 == 60 + 34)
        var configuration = Endpointer.Configuration()
        configuration.completeSentenceSilence = .milliseconds(400)
        let events = runTellingCompleteness(.complete, configuration: configuration)
        #expect(events.last?.1 == .speechEnded(.completeSentence))
        #expect(events.last?.0 == 60 + 19)
    }

    @Test func theShorterSilencesCanBeTurnedOff() {
        var configuration = Endpointer.Configuration()
        configuration.finishedSentenceSilence = nil
        #expect(!configuration.endsSentencesSooner)
        #expect(runTellingCompleteness(.finished, configuration: configuration).last?.1 == .speechEnded(.silence))
    }

    @Test func clicksShorterThanTheMinimumAreNotSpeech() {
        var configuration = Endpointer.Configuration()
        configuration.noSpeechTimeout = .seconds(2)
        let levels = frames(Self.silence, 20) + frames(Self.speech, 3) + frames(Self.silence, 100)
        #expect(run(levels, configuration: configuration).map(\.1) == [.noSpeech])
    }

    @Test func nothingSaidEndsAtTheNoSpeechTimeout() {
        let events = run(frames(Self.silence, 500))
        #expect(events.count == 1)
        #expect(events.first?.0 == 399)  // 8 s of 20 ms frames
        #expect(events.first?.1 == .noSpeech)
    }

    @Test func endlessSpeechIsCutAtTheMaximumLength() {
        var configuration = Endpointer.Configuration()
        configuration.maxUtterance = .seconds(2)
        let events = run(frames(Self.silence, 10) + frames(Self.speech, 200), configuration: configuration)
        #expect(events.last?.1 == .speechEnded(.maxLength))
        #expect(events.last!.0 - events.first!.0 == 100 - 5)
    }

    @Test func steadyBackgroundNoiseIsNotSpeech() {
        // A hum 30 dB above digital silence, with ±2 dB wobble.
        let hum = (0..<300).map { -40 + 2 * sin(Double($0)) }
        #expect(run(hum).map(\.1) == [.noSpeech] || run(hum).isEmpty)
    }

    @Test func speechOverNoiseIsFound() {
        let levels = frames(-40, 50) + frames(-25, 40) + frames(-40, 50)
        #expect(run(levels).map(\.1) == [.speechStarted(preRollFrames: 19), .speechEnded(.silence)])
    }

    @Test func theClientCanEndSpeech() {
        var endpointer = Endpointer()
        for level in frames(Self.silence, 10) + frames(Self.speech, 20) { _ = endpointer.process(frameDecibels: level) }
        #expect(endpointer.clientEndedSpeech() == .speechEnded(.client))
        #expect(endpointer.process(frameDecibels: Self.speech) == nil)

        var idle = Endpointer()
        _ = idle.process(frameDecibels: Self.silence)
        #expect(idle.clientEndedSpeech() == .noSpeech)
    }

    @Test func levelOfFullScaleAndSilence() {
        #expect(Endpointer.level(of: [Int16](repeating: 0, count: 320)) == -100)
        let square = (0..<320).map { $0 % 2 == 0 ? Int16.max : Int16.min }
        #expect(abs(Endpointer.level(of: square)) < 0.01)
    }
}
