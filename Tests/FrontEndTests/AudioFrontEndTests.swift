import AudioCodec
import Benchmarks
import FrontEnd
import TalkshopTesting
import Testing

/// The adaptive front end with the real denoisers: a quiet room passes through untouched, a
/// noisy one is denoised, and the mode changes only when the caller allows it.
struct AudioFrontEndTests {
    static func speech() throws -> [Int16] {
        let url = TestPaths.audioFixtures.appendingPathComponent("large-latte.opus")
        return try AudioFile(bytes: try TestPaths.readBytes(url), format: .oggOpus).decodeToRecognitionPCM()
    }

    /// A second of pink noise, the words, a second of pink noise: at `snr` dB by the benchmark's method.
    static func noisy(snr: Double) throws -> [Int16] {
        let padded = [Int16](repeating: 0, count: 16_000) + (try speech()) + [Int16](repeating: 0, count: 16_000)
        var pink = PinkNoise(seed: 7)
        return NoiseMixer.mix(speech: padded, noise: pink.samples(padded.count), snrDecibels: snr)
    }

    /// Feeds 20 ms chunks, as a session does.
    static func run(_ frontEnd: AudioFrontEnd, _ samples: [Int16], mayChange: Bool = true) async throws -> [Int16] {
        var output: [Int16] = []
        for start in stride(from: 0, to: samples.count, by: 320) {
            output += try await frontEnd.process(Array(samples[start..<min(start + 320, samples.count)]), mayChange: mayChange)
        }
        return output
    }

    /// The noise floor of the first second: the quietest 20 ms.
    static func floor(_ samples: [Int16]) -> Double {
        stride(from: 0, to: 16_000 - 320, by: 320).map { NoiseFloor.level(of: samples[$0..<($0 + 320)]) }.min()!
    }

    @Test func aQuietRoomPassesThroughUntouched() async throws {
        let frontEnd = AudioFrontEnd()
        let clean = [Int16](repeating: 0, count: 8_000) + (try Self.speech())
        #expect(try await Self.run(frontEnd, clean) == clean)
        #expect(!frontEnd.isDenoising && frontEnd.lag == 0)
    }

    @Test(arguments: [DenoiserKind.rnnoise, .deepfilter])
    func aNoisyRoomIsDenoised(with denoiser: DenoiserKind) async throws {
        var configuration = AudioFrontEnd.Configuration()
        configuration.denoiser = denoiser
        let frontEnd = AudioFrontEnd(configuration: configuration)
        let noisy = try Self.noisy(snr: 6)
        let output = try await Self.run(frontEnd, noisy)
        #expect(frontEnd.isDenoising)
        #expect(output.count + frontEnd.lag == noisy.count, "nothing lost but the denoiser's delay")
        // The noise after the words (the last half second) is far quieter than what came in.
        let before = NoiseFloor.level(of: noisy.suffix(8_000)), after = NoiseFloor.level(of: output.suffix(8_000))
        #expect(after < before - 15, "\(denoiser): \(before) dBFS → \(after) dBFS")
    }

    /// Speech in noise keeps most of its sound; noise alone loses most of it: the evidence
    /// that keeps denoised noise from being taken for a short command.
    @Test func speechKeepsItsSoundAndNoiseLosesIt() async throws {
        let noisy = try Self.noisy(snr: 6)
        let speechFrontEnd = AudioFrontEnd()
        _ = try await Self.run(speechFrontEnd, noisy)
        // The words (after the first second) to the end, as an utterance would span them.
        let words = try #require(speechFrontEnd.retainedDecibels(over: 16_000..<speechFrontEnd.producedSamples))
        #expect(words > -4.5, "speech at 6 dB kept \(words) dB")

        var pink = PinkNoise(seed: 3)
        let noiseFrontEnd = AudioFrontEnd()
        _ = try await Self.run(noiseFrontEnd, pink.samples(noisy.count))
        let noise = try #require(noiseFrontEnd.retainedDecibels(over: 16_000..<noiseFrontEnd.producedSamples))
        #expect(noise < -10, "pink noise kept \(noise) dB")

        #expect(AudioFrontEnd().retainedDecibels(over: 0..<16_000) == nil, "nothing denoised, nothing to say")
    }

    @Test func theModeChangesOnlyWhenAllowed() async throws {
        let frontEnd = AudioFrontEnd()
        let noisy = try Self.noisy(snr: 6)
        #expect(try await Self.run(frontEnd, noisy, mayChange: false) == noisy)
        #expect(!frontEnd.isDenoising)
        _ = try await Self.run(frontEnd, Array(noisy.prefix(3_200)))
        #expect(frontEnd.isDenoising)
    }

    @Test func denoisingStopsWhenTheRoomHasBeenQuietForAWhile() async throws {
        var configuration = AudioFrontEnd.Configuration()
        configuration.releaseAfterSeconds = 2
        let frontEnd = AudioFrontEnd(configuration: configuration)
        _ = try await Self.run(frontEnd, try Self.noisy(snr: 6))
        #expect(frontEnd.isDenoising)
        // A second after the noise stops the floor is quiet; two more seconds and it lets go.
        _ = try await Self.run(frontEnd, [Int16](repeating: 3, count: 16_000 * 2))
        #expect(frontEnd.isDenoising)
        _ = try await Self.run(frontEnd, [Int16](repeating: 3, count: 16_000 * 2))
        #expect(!frontEnd.isDenoising && frontEnd.lag == 0)
    }

    @Test func aMissingModelIsReportedAtTheStart() {
        var configuration = AudioFrontEnd.Configuration()
        configuration.denoiser = .deepfilter
        configuration.deepFilterModel = "/nonexistent/model.tar.gz"
        #expect(throws: FrontEndError.self) { try AudioFrontEnd.check(configuration) }
        #expect(throws: Never.self) { try AudioFrontEnd.check(.init()) }
    }

    /// A session passes a chunk on as it came when the denoiser cannot be made; the count of
    /// what the endpointer heard, which places utterances, must include it.
    @Test func aChunkPassedOnAfterAFailureIsCounted() async throws {
        var configuration = AudioFrontEnd.Configuration()
        configuration.denoiser = .deepfilter
        configuration.deepFilterModel = "/nonexistent/model.tar.gz"
        let frontEnd = AudioFrontEnd(configuration: configuration)
        let noisy = try Self.noisy(snr: 6)
        var failures = 0
        for start in stride(from: 0, to: 16_000, by: 320) {
            do { _ = try await frontEnd.process(Array(noisy[start..<(start + 320)]), mayChange: true) } catch { failures += 1 }
        }
        #expect(failures > 0, "the noise engages the denoiser, which cannot be made")
        #expect(frontEnd.producedSamples == 16_000)
    }
}
