import COpus

/// A libopus encoder for mono Int16 PCM, tuned for speech (VoIP application, voice signal).
public final class OpusEncoder {
    public let sampleRate: Int
    /// Samples per encoded frame (20 ms by default).
    public let frameSize: Int
    /// The encoder's algorithmic delay in samples at `sampleRate`; an Ogg stream records it,
    /// scaled to 48 kHz, as its pre-skip.
    public let lookahead: Int
    private let handle: OpaquePointer
    private var scratch = [UInt8](repeating: 0, count: 4_000)

    /// `complexity` 0–10 trades CPU for quality (libopus's default is 10).
    public init(sampleRate: Int = 16_000, bitrate: Int = 24_000, frameMilliseconds: Int = 20, complexity: Int = 10) throws(AudioCodecError) {
        guard OpusDecoder.supportedSampleRates.contains(sampleRate) else {
            throw .unsupportedSampleRate("Opus encodes at 8, 12, 16, 24 or 48 kHz, not \(sampleRate) Hz")
        }
        guard [10, 20, 40, 60].contains(frameMilliseconds) else {
            throw .opusLibrary("frame duration \(frameMilliseconds) ms; use 10, 20, 40 or 60")
        }
        var status: Int32 = 0
        guard let handle = opus_encoder_create(Int32(sampleRate), 1, OPUS_APPLICATION_VOIP, &status),
            status == OPUS_OK
        else {
            throw .opusLibrary("opus_encoder_create: \(OpusDecoder.message(status))")
        }
        self.handle = handle
        var delay: Int32 = 0
        for (name, result) in [
            ("bitrate", talkshop_opus_encoder_set_bitrate(handle, Int32(bitrate))),
            ("signal", talkshop_opus_encoder_set_signal_voice(handle)),
            ("complexity", talkshop_opus_encoder_set_complexity(handle, Int32(complexity))),
            ("lookahead", talkshop_opus_encoder_get_lookahead(handle, &delay)),
        ] where result != OPUS_OK {
            opus_encoder_destroy(handle)
            throw .opusLibrary("opus_encoder_ctl \(name): \(OpusDecoder.message(result))")
        }
        self.sampleRate = sampleRate
        self.frameSize = sampleRate * frameMilliseconds / 1000
        self.lookahead = Int(delay)
    }

    deinit { opus_encoder_destroy(handle) }

    /// Encodes exactly one frame of `frameSize` samples into one Opus packet.
    public func encode(frame: [Int16]) throws(AudioCodecError) -> [UInt8] {
        precondition(frame.count == frameSize, "an Opus frame must hold exactly frameSize samples")
        let capacity = Int32(scratch.count)
        let written = scratch.withUnsafeMutableBufferPointer { output in
            frame.withUnsafeBufferPointer { input in
                opus_encode(handle, input.baseAddress!, Int32(frameSize), output.baseAddress!, capacity)
            }
        }
        guard written > 0 else { throw .opusLibrary("opus_encode: \(OpusDecoder.message(written))") }
        return Array(scratch.prefix(Int(written)))
    }
}

@available(*, unavailable)
extension OpusEncoder: Sendable {}
