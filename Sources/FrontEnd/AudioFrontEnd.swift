import AudioCodec
import Dispatch
import Foundation

/// Noise suppression between the decoded 16 kHz audio and the endpointer, for every channel
/// (speakers, phones, the web page) and the benchmarks. Adaptive: it measures the room's noise
/// floor on the incoming audio and denoises only while that floor is high, so a quiet room
/// pays for the measurement alone. It changes mode only when the caller allows it — while no
/// utterance is in progress — so an utterance is never half denoised.
///
/// Not `Sendable`: one session feeds it, in order.
public final class AudioFrontEnd {
    public struct Configuration: Codable, Sendable, Equatable {
        /// RNNoise by default: as accurate as DeepFilterNet in pink noise (better at 18–24 dB),
        /// at two thirds of the CPU and a fraction of its memory and start-up (docs/recognition.md).
        public var denoiser: DenoiserKind = .rnnoise
        /// Denoising starts once the noise floor (the quietest 20 ms of the last second) is
        /// above this, in dBFS…
        public var engageAboveDecibels = -50.0
        /// … and stops once the floor has stayed below this for `releaseAfterSeconds`.
        public var releaseBelowDecibels = -56.0
        public var releaseAfterSeconds = 5.0
        /// DeepFilterNet's model, for `denoiser: deepfilter`.
        public var deepFilterModel = "/usr/local/share/talkshop/DeepFilterNet3_onnx.tar.gz"

        public init() {}

        /// Keys missing from a configuration file keep their defaults.
        public init(from decoder: any Decoder) throws {
            let defaults = Configuration()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
                try container.decodeIfPresent(T.self, forKey: key) ?? fallback
            }
            denoiser = try value(.denoiser, defaults.denoiser)
            engageAboveDecibels = try value(.engageAboveDecibels, defaults.engageAboveDecibels)
            releaseBelowDecibels = try value(.releaseBelowDecibels, defaults.releaseBelowDecibels)
            releaseAfterSeconds = try value(.releaseAfterSeconds, defaults.releaseAfterSeconds)
            deepFilterModel = try value(.deepFilterModel, defaults.deepFilterModel)
        }
    }

    /// 20 ms at 16 kHz: the frames the noise floor is measured in.
    static let frameSamples = 320

    public let configuration: Configuration
    private var floor = NoiseFloor(frames: 50)
    /// Input not yet measured (less than a frame).
    private var unmeasured: [Int16] = []
    /// Consecutive frames with the floor below the release level.
    private var quietFrames = 0
    private var chain: DenoisingChain?
    /// Energy in and out of each processed chunk, by where its output ends: how much of a
    /// stretch of audio the denoiser removed (`retainedDecibels(over:)`).
    private var tallies: [EnergyTally] = []
    /// Output samples produced so far: where the stream the endpointer hears stands.
    public private(set) var producedSamples = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Checks the configuration and that the configured denoiser can be created (a missing
    /// library or model is reported at start, not in the first noisy session).
    public static func check(_ configuration: Configuration) throws(FrontEndError) {
        guard configuration.releaseBelowDecibels < configuration.engageAboveDecibels, configuration.releaseAfterSeconds >= 0 else {
            throw FrontEndError("frontEnd.releaseBelowDecibels must be below frontEnd.engageAboveDecibels, and releaseAfterSeconds at least 0")
        }
        guard configuration.denoiser != .off else { return }
        _ = try makeDenoiser(configuration)
    }

    /// Whether the audio is being denoised now.
    public var isDenoising: Bool { chain != nil }

    /// Samples the output lags the input by: the denoiser's delay while denoising, else 0.
    public var lag: Int { chain?.lag ?? 0 }

    /// Measures and, in a noisy room, denoises a chunk of 16 kHz samples; returns what the
    /// endpointer and decoder should get. `mayChange`: no utterance is in progress, so
    /// denoising may start or stop here (starting one waits for the denoiser to be made).
    /// When the denoiser cannot be made it throws, and the chunk counts as passed on as it came
    /// (what a caller that keeps listening does with it), so `producedSamples` stays the count
    /// of what the endpointer heard.
    /// A whole recording in 20 ms chunks, as a device streams it, with no utterance to hold
    /// the denoiser back: what the decoder would hear of it (the adaptation corpus, the speed
    /// benchmark).
    public func processWhole(_ samples: [Int16]) async throws(FrontEndError) -> [Int16] {
        var heard: [Int16] = []
        heard.reserveCapacity(samples.count)
        for start in stride(from: 0, to: samples.count, by: Self.frameSamples) {
            heard += try await process(Array(samples[start..<min(start + Self.frameSamples, samples.count)]), mayChange: true)
        }
        return heard
    }

    public func process(_ samples: [Int16], mayChange: Bool) async throws(FrontEndError) -> [Int16] {
        measure(samples)
        if mayChange {
            do { try await decide() } catch {
                producedSamples += samples.count
                throw error
            }
        }
        guard let chain else {
            producedSamples += samples.count
            return samples
        }
        let output = await Self.offThePool(chain, samples)
        producedSamples += output.count
        tallies.append(EnergyTally(outputEnd: producedSamples, input: Self.energy(samples), output: Self.energy(output)))
        // About a minute of chunks: longer than any utterance.
        if tallies.count > 6_000 { tallies.removeFirst(3_000) }
        return output
    }

    /// How much of the sound in this stretch of output (counted in output samples) the
    /// denoiser kept, in dB: about −1 for speech in a noisy room, far lower for noise, which
    /// it removes. Nil when none of the stretch was denoised.
    public func retainedDecibels(over range: Range<Int>) -> Double? {
        var input = 0.0, output = 0.0, chunks = 0
        for tally in tallies.reversed() {
            if tally.outputEnd <= range.lowerBound { break }
            if tally.outputEnd > range.upperBound { continue }
            input += tally.input
            output += tally.output
            chunks += 1
        }
        guard chunks > 0 else { return nil }
        return 10 * log10(max(output, 1) / max(input, 1))
    }

    private static func energy(_ samples: [Int16]) -> Double {
        samples.reduce(0.0) { $0 + Double($1) * Double($1) }
    }

    private func measure(_ samples: [Int16]) {
        unmeasured += samples
        var start = 0
        while unmeasured.count - start >= Self.frameSamples {
            floor.remember(NoiseFloor.level(of: unmeasured[start..<(start + Self.frameSamples)]))
            start += Self.frameSamples
            if let level = floor.decibels, level < configuration.releaseBelowDecibels { quietFrames += 1 } else { quietFrames = 0 }
        }
        unmeasured.removeFirst(start)
    }

    private func decide() async throws(FrontEndError) {
        guard configuration.denoiser != .off, let level = floor.decibels else { return }
        if chain == nil, floor.count >= 10, level > configuration.engageAboveDecibels {
            chain = DenoisingChain(denoiser: try await Self.makeDenoiserOffThePool(configuration))
        } else if chain != nil, Double(quietFrames) * 0.02 >= configuration.releaseAfterSeconds {
            chain = nil
        }
    }

    /// Denoising is CPU-bound C code, like decoding (0.04–0.065 CPU s per audio s), and making a
    /// DeepFilterNet state takes a quarter of a second: both run on a queue of their own, never
    /// on the concurrency pool that every session's messages need — a few noisy rooms would
    /// otherwise hold its threads.
    private static let work = DispatchQueue(label: "talkshop.front-end", qos: .userInitiated, attributes: .concurrent)

    private static func makeDenoiserOffThePool(_ configuration: Configuration) async throws(FrontEndError) -> any Denoiser {
        let made: Result<Lent<any Denoiser>, FrontEndError> = await withCheckedContinuation { continuation in
            work.async {
                continuation.resume(returning: Result { () throws(FrontEndError) in Lent(value: try makeDenoiser(configuration)) })
            }
        }
        return try made.get().value
    }

    /// One chunk through the chain on the front end's queue (the session awaits it: one chunk at
    /// a time, in order).
    private static func offThePool(_ chain: DenoisingChain, _ samples: [Int16]) async -> [Int16] {
        let lent = Lent(value: chain)
        return await withCheckedContinuation { continuation in
            work.async { continuation.resume(returning: lent.value.process(samples)) }
        }
    }

    private static func makeDenoiser(_ configuration: Configuration) throws(FrontEndError) -> any Denoiser {
        switch configuration.denoiser {
        case .rnnoise: try RNNoiseDenoiser()
        case .deepfilter: try DeepFilterDenoiser(model: configuration.deepFilterModel)
        case .off: throw FrontEndError("no denoiser is configured")
        }
    }
}

/// One chunk's energy before and after denoising.
private struct EnergyTally {
    /// Output samples produced up to the end of this chunk.
    var outputEnd: Int
    var input: Double
    var output: Double
}

/// A denoiser made on the front end's queue and handed to the session, or the session's chain
/// lent to the queue for one chunk; `@unchecked Sendable` because one side at a time uses it
/// (the other awaits).
private struct Lent<Value>: @unchecked Sendable {
    let value: Value
}

/// 16 kHz → 48 kHz → denoiser in 10 ms frames → 16 kHz.
private final class DenoisingChain {
    private let denoiser: any Denoiser
    private var up: Resampler
    private var down: Resampler
    /// 48 kHz samples waiting for a whole frame.
    private var pending: [Float] = []
    private var frame: [Float]
    private var denoised: [Float]
    private(set) var lag = 0

    init(denoiser: any Denoiser) {
        self.denoiser = denoiser
        // 16 kHz ↔ 48 kHz are supported rates: these cannot fail.
        up = try! Resampler(inputRate: 16_000, outputRate: 48_000)
        down = try! Resampler(inputRate: 48_000, outputRate: 16_000)
        frame = [Float](repeating: 0, count: denoiser.frameLength)
        denoised = frame
    }

    func process(_ samples: [Int16]) -> [Int16] {
        for sample in up.process(samples) { pending.append(Float(sample)) }
        let length = denoiser.frameLength
        var cleaned: [Int16] = []
        cleaned.reserveCapacity(pending.count)
        var start = 0
        while pending.count - start >= length {
            for index in 0..<length { frame[index] = pending[start + index] }
            denoiser.denoise(frame, into: &denoised)
            for value in denoised { cleaned.append(Int16(max(-32_768, min(32_767, value.rounded())))) }
            start += length
        }
        pending.removeFirst(start)
        let output = down.process(cleaned)
        lag += samples.count - output.count
        return output
    }
}
