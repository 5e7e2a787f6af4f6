import AudioCodec
import Benchmarks
import Foundation
import Recognition
import TalkshopTesting
import Testing

/// The acoustic model adapted to denoised speech: which files it replaces, and that only the
/// utterances the front end denoised are decoded with it.
struct NoisyRoomModelTests {
    static let shippedModel = TestPaths.repository.appendingPathComponent("models/noisy-room")

    private func temporaryDirectory(holding files: [String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-model-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in files { try Data("x".utf8).write(to: directory.appendingPathComponent(file)) }
        return directory
    }

    @Test func anAdaptedModelReplacesOnlyTheFilesItsDirectoryHolds() throws {
        let directory = try temporaryDirectory(holding: ["means", "mllr_matrix"])
        let base = DecoderConfiguration()
        let adapted = try base.adapted(by: directory)
        #expect(adapted.extraArguments["-mean"] == directory.appendingPathComponent("means").path)
        #expect(adapted.extraArguments["-mllr"] == directory.appendingPathComponent("mllr_matrix").path)
        #expect(adapted.extraArguments["-var"] == nil && adapted.extraArguments["-sendump"] == nil)
        #expect(adapted.acousticModel == base.acousticModel, "the rest comes from the base model")
    }

    @Test func aDirectoryWithoutModelFilesIsRefused() throws {
        let directory = try temporaryDirectory(holding: ["README"])
        #expect(throws: RecognitionError.modelMissing) { try DecoderConfiguration().adapted(by: directory) }
    }

    @Test func offMeansTheBaseModelForEveryUtterance() {
        #expect(NoisyRoomModel.resolve("off", denoiser: "rnnoise") == (nil, nil))
    }

    @Test func aModelIsUsedOnlyWithTheDenoiserItWasAdaptedOn() throws {
        #expect(try String(contentsOf: Self.shippedModel.appendingPathComponent("denoiser"), encoding: .utf8) == "rnnoise\n")
        #expect(NoisyRoomModel.resolve(Self.shippedModel.path, denoiser: "rnnoise").directory?.path == Self.shippedModel.path)
        let other = NoisyRoomModel.resolve(Self.shippedModel.path, denoiser: "deepfilter")
        #expect(other.directory == nil)
        #expect(other.unused?.contains("adapted on rnnoise output") == true, "\(other.unused ?? "")")
        let unmarked = try temporaryDirectory(holding: ["means"])
        #expect(NoisyRoomModel.resolve(unmarked.path, denoiser: "deepfilter").directory?.path == unmarked.path, "a model that does not say is trusted")
    }

    @Test func onlyDenoisedUtterancesAreDecodedWithTheNoisyRoomModel() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-tests-\(UUID())")
        let recognizer = try SpeechRecognizer.make(
            grammar: try TestGrammars.loader.load("coffee"), lexicon: TestGrammars.lexicon, workDirectory: work, poolSize: 1,
            noisyRoomModel: Self.shippedModel)
        let noisyRoomPool = try #require(recognizer.noisyRoomPool)
        let clip = TestPaths.coffeeDev.appendingPathComponent("02b77977-ada7-4f37-a1b3-8cb433c8c8da.opus")
        let speech = try AudioFile(bytes: TestPaths.readBytes(clip), format: .oggOpus).decodeToRecognitionPCM()

        let clean = try await StreamRecognition.firstUtterance(speech, recognizer: recognizer, state: .main, endpointing: .init())
        #expect(clean.intent?.name == "orderDrink", "\(clean)")
        #expect(await recognizer.pool.loadedDecoders == 1)
        #expect(await noisyRoomPool.loadedDecoders == 0, "a quiet room is not denoised: the base model hears it")

        let noisy = NoiseKind.pink.mixed(into: [speech], snr: 12)[0]
        let denoised = try await StreamRecognition.firstUtterance(noisy, recognizer: recognizer, state: .main, endpointing: .init())
        #expect(denoised.intent?.name == "orderDrink", "\(denoised)")
        #expect(await noisyRoomPool.loadedDecoders == 1, "the denoised utterance went to the noisy-room model")
    }
}
