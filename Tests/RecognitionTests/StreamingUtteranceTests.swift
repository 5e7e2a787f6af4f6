import AudioCodec
import Benchmarks
import Foundation
import Grammar
import Recognition
import TalkshopTesting
import Testing

/// Decoding while the customer speaks: the same words as decoding the utterance whole, the
/// decoder always back in the pool, and the whole-utterance path when none is free.
struct StreamingUtteranceTests {
    static func recognizer(poolSize: Int, configuration: DecoderConfiguration = DecoderConfiguration()) throws -> SpeechRecognizer {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-tests-\(UUID())")
        return try SpeechRecognizer.make(
            grammar: try TestGrammars.loader.load("coffee"), lexicon: TestGrammars.lexicon, workDirectory: work, poolSize: poolSize,
            configuration: configuration)
    }

    static let latte = try! RecognizerTests.pcm(TestPaths.audioFixtures.appendingPathComponent("large-latte.opus"))

    @Test func audioFedInPiecesGivesTheWordsOfTheWholeUtterance() async throws {
        let recognizer = try Self.recognizer(poolSize: 1)
        let whole = try await recognizer.recognize(Self.latte)
        let utterance = try #require(try await recognizer.pool.beginUtterance(state: .main))
        for start in stride(from: 0, to: Self.latte.count, by: 1_600) {
            utterance.feed(Array(Self.latte[start..<min(start + 1_600, Self.latte.count)]))
        }
        let streamed = try await recognizer.recognize(Self.latte, streamed: utterance)
        #expect(whole.intent?.name == "orderDrink")
        #expect(streamed.transcript == whole.transcript)
        #expect(streamed.intent == whole.intent)
        #expect(await recognizer.pool.idleDecoders == 1, "the decoder is back")
    }

    @Test func withEveryDecoderLentTheUtteranceIsDecodedWholeAtItsEnd() async throws {
        let recognizer = try Self.recognizer(poolSize: 1)
        let first = try #require(try await recognizer.pool.beginUtterance(state: .main))
        #expect(try await recognizer.pool.beginUtterance(state: .main) == nil)
        first.feed(Self.latte)
        async let whole = recognizer.recognize(Self.latte)  // waits for the one decoder
        let streamed = try await recognizer.recognize(Self.latte, streamed: first)
        #expect(streamed.intent?.name == "orderDrink")
        #expect(try await whole.intent?.name == "orderDrink")
    }

    @Test func anAbandonedOrForgottenUtteranceGivesItsDecoderBack() async throws {
        let recognizer = try Self.recognizer(poolSize: 2)
        let dropped = try #require(try await recognizer.pool.beginUtterance(state: .main))
        dropped.feed(Array(Self.latte.prefix(8_000)))
        dropped.abandon()
        var forgotten = try await recognizer.pool.beginUtterance(state: .main)
        forgotten?.feed(Array(Self.latte.prefix(8_000)))
        forgotten = nil
        let deadline = ContinuousClock.now + .seconds(10)
        while await recognizer.pool.idleDecoders < 2, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await recognizer.pool.idleDecoders == 2)
        await #expect(throws: RecognitionError.self, "a dropped utterance cannot be finished") { try await dropped.finish() }
        #expect(await recognizer.pool.idleDecoders == 2, "and its decoder is not given back twice")
        #expect(try await recognizer.recognize(Self.latte).intent?.name == "orderDrink", "a returned decoder decodes again")
    }

    /// A decoder fed in pieces counts frames on from its earlier utterances; the evidence of
    /// how much speech went to fillers must not depend on that (it once read 0 from a
    /// decoder's second utterance on, and TV talk was accepted at 106 an hour).
    @Test func nonCommandSpeechStaysUnexplainedOnADecodersLaterUtterances() async throws {
        let recognizer = try Self.recognizer(poolSize: 1)
        // Speech that is no command: most of it must go to fillers.
        let wav = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-tv-\(UUID()).wav")
        defer { try? FileManager.default.removeItem(at: wav) }
        let espeak = try await ExternalTool(executable: URL(fileURLWithPath: "/usr/bin/espeak-ng")).runDetached([
            "-w", wav.path, "and now the weather for the weekend, sunshine in the north and rain moving in from the west by sunday",
        ])
        #expect(espeak.status == 0, "\(espeak.standardError)")
        let talk = try AudioFile(bytes: TestPaths.readBytes(wav), format: .wav).decodeToRecognitionPCM()
        let whole = try await recognizer.recognize(talk)
        #expect((whole.evidence?.unexplainedSpeech ?? 0) > 0.5 && !whole.isAccepted, "decoded whole: \(whole)")
        var shares: [Double] = []
        for round in 1...3 {
            let utterance = try #require(try await recognizer.pool.beginUtterance(state: .main))
            for start in stride(from: 0, to: talk.count, by: 1_600) { utterance.feed(Array(talk[start..<min(start + 1_600, talk.count)])) }
            let streamed = try await recognizer.recognize(talk, streamed: utterance)
            shares.append(streamed.evidence?.unexplainedSpeech ?? -1)
            #expect(!streamed.isAccepted, "round \(round): \(streamed)")
        }
        // Searched in pieces the path differs from decoding whole (and with the running
        // normalisation from round to round), but the talk stays mostly unexplained.
        #expect(shares.allSatisfy { $0 > 0.5 }, "unexplained speech per round: \(shares)")
    }

    /// A state the grammar has no intent in has no search to listen with.
    @Test func aStateWithoutAGrammarIsATypedError() async throws {
        let grammar = try TestGrammars.loader.load("coffee")
        let dictionary = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).dict")
        try TestGrammars.lexicon.subset(for: grammar.vocabulary().map(\.word)).write(to: dictionary, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dictionary) }
        let pool = DecoderPool(
            configuration: DecoderConfiguration(),
            grammars: .init(jsgfByState: [.main: try JSGFExporter.export(grammar, state: .main)], dictionary: dictionary), size: 1)
        await #expect(throws: RecognitionError.self) { try await pool.beginUtterance(state: .pin) }
        #expect(try await pool.beginUtterance(state: .main) != nil)
    }

    @Test func manyUtterancesAtOnceAllFinish() async throws {
        let recognizer = try Self.recognizer(poolSize: 6)
        let results = try await withThrowingTaskGroup(of: RecognitionResult.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    let utterance = try await recognizer.pool.beginUtterance(state: .main)
                    for start in stride(from: 0, to: Self.latte.count, by: 320) {
                        utterance?.feed(Array(Self.latte[start..<min(start + 320, Self.latte.count)]))
                    }
                    return try await recognizer.recognize(Self.latte, streamed: utterance)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 6 && results.allSatisfy { $0.intent?.name == "orderDrink" })
    }

    /// The cepstral mean a streamed search subtracts comes from the utterance itself, not from
    /// what the pooled decoder heard before. (With the decoder's running mean, a recognizer test
    /// heard "the usual" for "cancel" about one run in ten: it depended on the tests before it.)
    @Test func whatADecoderHeardBeforeDoesNotChangeTheNextUtterance() async throws {
        // Without dither: its random stream is shared by every decoder in the process.
        var exact = DecoderConfiguration()
        exact.extraArguments["-dither"] = "no"
        let recognizer = try Self.recognizer(poolSize: 1, configuration: exact)
        let cancel = try RecognizerTests.pcm(TestPaths.audioFixtures.appendingPathComponent("cancel.opus"))
        var pink = PinkNoise(seed: 3)
        let noise = pink.samples(128_000, amplitude: 16_000)
        func streamed(_ samples: [Int16]) async throws -> (RecognitionResult, mean: [Float]) {
            let utterance = try #require(try await recognizer.pool.beginUtterance(state: .main))
            utterance.feed(samples)
            let result = try await recognizer.recognize(samples, streamed: utterance)
            return (result, try #require(utterance.cepstralMean))
        }
        func distance(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() }

        let (first, meanFirst) = try await streamed(cancel)
        let (_, meanOfNoise) = try await streamed(noise)
        let (again, meanAgain) = try await streamed(cancel)
        #expect(again.transcript == first.transcript)
        // The front end's own noise level still carries over a little (docs/recognition.md).
        #expect(distance(meanAgain, meanFirst) < 0.2 * distance(meanOfNoise, meanFirst),
                "cancel's mean \(meanFirst), after noise \(meanAgain); the noise's \(meanOfNoise)")
    }
}
