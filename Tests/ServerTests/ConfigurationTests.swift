import Foundation
import Logging
import Recognition
import Server
import Store
import TalkshopTesting
import Testing

struct ConfigurationTests {
    func write(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func fileThenEnvironmentOverrideTheDefaults() throws {
        let path = try write("port: 9000\ngrammar: grocery\nlimits:\n  maxSessionsPerDevice: 50\n")
        let configuration = try ServerConfiguration.load(file: path, environment: ["TALKSHOP_PORT": "9100", "TALKSHOP_ALLOWED_ORIGINS": "https://a.example, https://b.example"])
        #expect(configuration.port == 9100)
        #expect(configuration.grammar == "grocery")
        #expect(configuration.limits.maxSessionsPerDevice == 50)
        #expect(configuration.limits.maxMessageBytes == ServerConfiguration.Limits().maxMessageBytes)
        #expect(configuration.allowedOrigins == ["https://a.example", "https://b.example"])
        #expect(configuration.host == "127.0.0.1")
    }

    @Test func theRecognitionSectionSetsTheEndpointer() throws {
        let path = try write("recognition:\n  finishedSentenceSilenceMilliseconds: 300\n  completeSentenceSilenceMilliseconds: 450\n")
        let endpointing = try ServerConfiguration.load(file: path, environment: [:]).recognition.endpointing
        #expect(endpointing.finishedSentenceSilence == .milliseconds(300))
        #expect(endpointing.completeSentenceSilence == .milliseconds(450))
        #expect(endpointing.trailingSilence == .milliseconds(700))
        let defaults = ServerConfiguration().recognition
        #expect(defaults.endpointing.completeSentenceSilence == nil && defaults.endpointing.finishedSentenceSilence == .milliseconds(250))
        #expect(defaults.rejectNearMisses && defaults.nearMissShareOfACore == 0.05, "near misses are checked, within a twentieth of a core")
        #expect(defaults.verificationBudget.longestWait == .milliseconds(1_500), "a customer waits at most 1.5 s for a check")
        for wrong in ["nearMissShareOfACore: 1.5", "nearMissWaitMilliseconds: -1"] {
            #expect(throws: ServerConfiguration.Invalid.self) {
                try ServerConfiguration.load(file: try write("recognition:\n  \(wrong)\n"), environment: [:])
            }
        }
        #expect(defaults.endpointing(deviceClass: "phone").finishedSentenceSilence == .milliseconds(250))
        #expect(!defaults.endpointing(deviceClass: "speaker").endsSentencesSooner, "TV talk cut short passes as commands")
    }

    @Test func theNoisyRoomModelIsChosenByConfiguration() async throws {
        #expect(ServerConfiguration().recognition.noisyRoomModel == "models/noisy-room")
        let off = try ServerConfiguration.load(file: try write("recognition:\n  noisyRoomModel: off\n"), environment: [:])
        #expect(off.recognition.noisyRoomModel == "off")
        var configuration = ServerConfiguration()
        configuration.grammarsDirectory = TestPaths.grammars.path
        configuration.catalogsDirectory = TestPaths.repository.appendingPathComponent("catalogs").path
        configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID())").path
        configuration.recognition.noisyRoomModel = "/nonexistent/noisy-room"
        await #expect(throws: RecognitionError.modelMissing, "a missing model stops the start, not the first noisy customer") {
            try await TalkshopServices.make(configuration: configuration, database: try AppDatabase.inMemory(), logger: Logger(label: "test"))
        }
        // The shipped model was adapted on RNNoise's output: with DeepFilterNet it is not used.
        configuration.recognition.noisyRoomModel = TestPaths.repository.appendingPathComponent("models/noisy-room").path
        let withRNNoise = try await TalkshopServices.make(configuration: configuration, database: try AppDatabase.inMemory(), logger: Logger(label: "test"))
        #expect(withRNNoise.recognizer.noisyRoomPool != nil)
        configuration.frontEnd.denoiser = .deepfilter
        let withDeepFilter = try await TalkshopServices.make(configuration: configuration, database: try AppDatabase.inMemory(), logger: Logger(label: "test"))
        #expect(withDeepFilter.recognizer.noisyRoomPool == nil)
    }

    @Test func badValuesAreRefusedWithTheirName() throws {
        #expect(throws: ServerConfiguration.Invalid.self) { try ServerConfiguration.load(file: nil, environment: ["TALKSHOP_PORT": "eighty"]) }
        #expect(throws: ServerConfiguration.Invalid.self) { try ServerConfiguration.load(file: try write("port: 70000\n"), environment: [:]) }
        #expect(throws: ServerConfiguration.Invalid.self) { try ServerConfiguration.load(file: try write("port: [1\n"), environment: [:]) }
        #expect(throws: ServerConfiguration.Invalid.self) { try ServerConfiguration.load(file: "/nonexistent.yaml", environment: [:]) }
        #expect(throws: ServerConfiguration.Invalid.self) {
            try ServerConfiguration.load(file: try write("recognition:\n  finishedSentenceSilenceMilliseconds: 900\n"), environment: [:])
        }
    }
}
