import COpus

/// A libopus decoder producing mono Int16 PCM at 16 kHz (or another Opus rate).
///
/// libopus decodes straight to the requested rate, and mixes a stereo stream down to the one
/// output channel itself, so no separate resampler or downmix is needed for Opus input.
public final class OpusDecoder {
    public static let supportedSampleRates = [8_000, 12_000, 16_000, 24_000, 48_000]

    public let sampleRate: Int
    private let handle: OpaquePointer
    /// Room for the longest packet, 120 ms; never empty, so its base address is never nil.
    private var scratch: [Int16]

    public init(sampleRate: Int = 16_000) throws(AudioCodecError) {
        guard Self.supportedSampleRates.contains(sampleRate) else {
            throw .unsupportedSampleRate("Opus decodes at 8, 12, 16, 24 or 48 kHz, not \(sampleRate) Hz")
        }
        var status: Int32 = 0
        guard let handle = opus_decoder_create(Int32(sampleRate), 1, &status), status == OPUS_OK else {
            throw .opusLibrary("opus_decoder_create: \(Self.message(status))")
        }
        self.sampleRate = sampleRate
        self.handle = handle
        self.scratch = Array(repeating: 0, count: sampleRate * 120 / 1000)
    }

    deinit { opus_decoder_destroy(handle) }

    /// Decodes one packet after checking it against RFC 6716 §3.4.
    public func decode(_ packet: [UInt8]) throws(AudioCodecError) -> [Int16] {
        _ = try OpusPacket.validate(packet)
        let frameCapacity = Int32(scratch.count)
        let decoded = scratch.withUnsafeMutableBufferPointer { output in
            packet.withUnsafeBufferPointer { input in
                opus_decode(handle, input.baseAddress, Int32(input.count), output.baseAddress!, frameCapacity, 0)
            }
        }
        guard decoded >= 0 else { throw .opusLibrary("opus_decode: \(Self.message(decoded))") }
        return Array(scratch.prefix(Int(decoded)))
    }

    /// Packet-loss concealment: synthesizes `samples` of plausible audio for a lost packet.
    /// libopus needs a multiple of 2.5 ms; the count is rounded up to one.
    public func concealLoss(samples: Int) throws(AudioCodecError) -> [Int16] {
        let quantum = sampleRate / 400
        let wanted = min(max(quantum, (samples + quantum - 1) / quantum * quantum), scratch.count)
        let decoded = scratch.withUnsafeMutableBufferPointer { output in
            opus_decode(handle, nil, 0, output.baseAddress!, Int32(wanted), 0)
        }
        guard decoded >= 0 else { throw .opusLibrary("opus_decode (concealment): \(Self.message(decoded))") }
        return Array(scratch.prefix(Int(decoded)))
    }

    /// Forgets the decoder history, e.g. between unrelated utterances.
    public func reset() {
        _ = talkshop_opus_decoder_reset(handle)
    }

    static func message(_ status: Int32) -> String {
        "\(String(cString: opus_strerror(status))) (\(status))"
    }
}

// The decoder holds mutable C state: confine it to one task at a time.
@available(*, unavailable)
extension OpusDecoder: Sendable {}
