import AudioCodec

/// How a reply is sent to a device: the session's codec.
public enum ReplyCodec: String, Codable, Sendable, Hashable {
    /// Opus packets, 16 kHz mono, one per 20 ms frame (speakers).
    case opus
    /// G.711 μ-law, 8 kHz, 160 bytes per 20 ms frame (phone bridges).
    case mulaw
    /// Signed 16-bit little-endian PCM, 16 kHz, 640 bytes per 20 ms frame (generic gateways).
    case l16
}

/// A spoken reply, encoded and cut into 20 ms frames.
public struct ReplyAudio: Sendable, Equatable {
    public var codec: ReplyCodec
    public var frames: [[UInt8]]

    public static let frameSeconds = 0.02

    public var duration: Double { Double(frames.count) * Self.frameSeconds }

    /// Encodes 16 kHz mono samples; the last frame is padded with silence.
    public static func encode(_ samples: [Int16], as codec: ReplyCodec) throws(AudioCodecError) -> ReplyAudio {
        switch codec {
        case .opus:
            let encoder = try OpusEncoder(sampleRate: recognitionSampleRate)
            var packets: [[UInt8]] = []
            for frame in frames(of: samples, size: encoder.frameSize) { packets.append(try encoder.encode(frame: frame)) }
            return ReplyAudio(codec: codec, frames: packets)
        case .mulaw:
            var resampler = try Resampler(inputRate: recognitionSampleRate, outputRate: 8_000)
            let narrow = resampler.process(samples) + resampler.flush()
            return ReplyAudio(codec: codec, frames: frames(of: narrow, size: 160).map(MuLaw.encode))
        case .l16:
            return ReplyAudio(codec: codec, frames: frames(of: samples, size: 320).map { frame in
                frame.flatMap { sample in [UInt8(truncatingIfNeeded: sample), UInt8(truncatingIfNeeded: sample >> 8)] }
            })
        }
    }

    private static func frames(of samples: [Int16], size: Int) -> [[Int16]] {
        stride(from: 0, to: samples.count, by: size).map { start in
            let frame = Array(samples[start..<min(start + size, samples.count)])
            return frame + [Int16](repeating: 0, count: size - frame.count)
        }
    }
}
