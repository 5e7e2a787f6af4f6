import AudioCodec
import Benchmarks
import Foundation
import Grammar
import Recognition
import TalkshopTesting
import Testing

/// The real model end to end, through the same streaming path the server uses.
struct RecognizerTests {
    struct ManifestEntry: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var text: String
        var intent: String
        var slots: [String: String]
        var testDescription: String { name }
    }

    static let manifest: [ManifestEntry] = try! JSONDecoder().decode(
        [ManifestEntry].self, from: Data(contentsOf: TestPaths.audioFixtures.appendingPathComponent("manifest.json")))

    static let recognizer: SpeechRecognizer = {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-tests-\(UUID())")
        return try! SpeechRecognizer.make(
            grammar: try TestGrammars.loader.load("coffee"), lexicon: TestGrammars.lexicon, workDirectory: work, poolSize: 2)
    }()

    static func pcm(_ url: URL) throws -> [Int16] {
        try AudioFile(bytes: TestPaths.readBytes(url), format: .oggOpus).decodeToRecognitionPCM()
    }

    static func recognize(_ url: URL, state: DialogState = .main) async throws -> RecognitionResult {
        try await StreamRecognition.firstUtterance(
            pcm(url), recognizer: recognizer, state: state, endpointing: Endpointer.Configuration())
    }

    @Test(arguments: manifest)
    func spokenFixtureGivesItsManifestIntent(_ entry: ManifestEntry) async throws {
        let state = ["yes", "no"].contains(entry.intent) ? DialogState.confirmation : .main
        let result = try await Self.recognize(TestPaths.audioFixtures.appendingPathComponent("\(entry.name).opus"), state: state)
        if entry.intent == "none" {
            #expect(!result.isAccepted, "\(entry.name) was accepted as \(String(describing: result.intent))")
        } else {
            #expect(result.intent?.name == entry.intent && result.intent?.slots == entry.slots, "\(entry.name): \(result)")
        }
    }

    @Test func aCleanRecordingDecodesToItsLabel() async throws {
        let result = try await Self.recognize(TestPaths.coffeeDev.appendingPathComponent("02b77977-ada7-4f37-a1b3-8cb433c8c8da.opus"))
        #expect(result.intent?.slots == ["coffeeDrink": "iced mocha", "roast": "light roast", "size": "eight ounce"])
        #expect(result.confidence > 0.9)
    }

    @Test(arguments: ["pink-noise", "silence", "music"])
    func nonSpeechIsRejected(name: String) async throws {
        let result = try await Self.recognize(TestPaths.audioFixtures.appendingPathComponent("negative/\(name).opus"))
        #expect(!result.isAccepted, "\(result)")
    }

    @Test func loudNoiseForcedThroughTheDecoderIsRejected() async throws {
        // Bypass the endpointer: decode 3 s of loud pink noise as if it were an utterance.
        var noise = PinkNoise(seed: 9)
        let result = try await Self.recognizer.recognize(noise.samples(48_000, amplitude: 12_000))
        #expect(!result.isAccepted, "\(result)")
    }

    @Test func grammarSwitchesMidSession() async throws {
        let latte = TestPaths.audioFixtures.appendingPathComponent("large-latte.opus")
        let yes = TestPaths.audioFixtures.appendingPathComponent("yes.opus")
        #expect(try await Self.recognize(latte, state: .main).intent?.name == "orderDrink")
        // While an order waits for confirmation only short answers are listened for.
        #expect(try await Self.recognize(latte, state: .confirmation).isAccepted == false)
        #expect(try await Self.recognize(yes, state: .confirmation).intent?.name == "yes")
        #expect(try await Self.recognize(latte, state: .main).intent?.name == "orderDrink")
    }

    @Test func thePoolBoundsDecodersAndServesEveryone() async throws {
        let grammar = try TestGrammars.loader.load("coffee")
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-tests-\(UUID())")
        let recognizer = try SpeechRecognizer.make(grammar: grammar, lexicon: TestGrammars.lexicon, workDirectory: work, poolSize: 1)
        let samples = try Self.pcm(TestPaths.audioFixtures.appendingPathComponent("whats-in-my-cart.opus"))
        let results = try await withThrowingTaskGroup(of: RecognitionResult.self) { group in
            for _ in 0..<4 { group.addTask { try await recognizer.recognize(samples) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 4)
        #expect(results.allSatisfy { $0.intent?.name == "cartContents" })
        #expect(await recognizer.pool.loadedDecoders == 1)
    }
}
