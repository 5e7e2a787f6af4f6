/// What the table-of-contents byte and framing of an Opus packet say (RFC 6716 §3.1–3.2).
public struct OpusPacketInfo: Sendable, Equatable {
    /// The TOC configuration number, 0–31 (mode, bandwidth and frame duration).
    public var configuration: Int
    public var isStereo: Bool
    public var frameCount: Int
    /// Duration of each frame in 48 kHz samples (120 = 2.5 ms … 2880 = 60 ms).
    public var samplesPerFrame48kHz: Int

    public var totalSamples48kHz: Int { frameCount * samplesPerFrame48kHz }
    public var durationSeconds: Double { Double(totalSamples48kHz) / 48_000 }
}

/// Validates Opus packets against the well-formedness rules R1–R7 of RFC 6716 §3.4 before
/// they reach libopus, so that a malformed packet is reported by rule rather than as a bare
/// decoder error code.
public enum OpusPacket {
    static let maxFrameBytes = 1275
    /// 120 ms at 48 kHz, the longest a packet may last (R5).
    static let maxPacketSamples48kHz = 5760

    public static func validate(_ packet: [UInt8]) throws(AudioCodecError) -> OpusPacketInfo {
        guard let toc = packet.first else {
            throw .invalidOpusPacket("R1: an Opus packet must be at least one byte")
        }
        let configuration = Int(toc >> 3)
        var info = OpusPacketInfo(
            configuration: configuration,
            isStereo: toc & 0x04 != 0,
            frameCount: 1,
            samplesPerFrame48kHz: samplesPerFrame(configuration: configuration)
        )
        let count = packet.count

        switch toc & 0x03 {
        case 0:  // one frame
            try checkFrameLength(count - 1, rule: "R2")
        case 1:  // two frames of equal size
            guard (count - 1) % 2 == 0 else {
                throw .invalidOpusPacket("R3: a code 1 packet needs an odd total length, got \(count) bytes")
            }
            try checkFrameLength((count - 1) / 2, rule: "R2")
            info.frameCount = 2
        case 2:  // two frames, the first length coded explicitly
            guard let (firstLength, lengthBytes) = frameLength(in: packet, at: 1),
                firstLength <= count - 1 - lengthBytes
            else {
                throw .invalidOpusPacket("R4: a code 2 packet's first frame length runs past its \(count) bytes")
            }
            try checkFrameLength(firstLength, rule: "R2")
            try checkFrameLength(count - 1 - lengthBytes - firstLength, rule: "R2")
            info.frameCount = 2
        default:  // code 3: an arbitrary number of frames
            info.frameCount = try validateCode3(packet, samplesPerFrame: info.samplesPerFrame48kHz)
        }
        return info
    }

    private static func validateCode3(_ packet: [UInt8], samplesPerFrame: Int) throws(AudioCodecError) -> Int {
        let count = packet.count
        guard count >= 2 else {
            throw .invalidOpusPacket("R6: a code 3 packet needs a frame count byte")
        }
        let isVariableBitrate = packet[1] & 0x80 != 0
        let hasPadding = packet[1] & 0x40 != 0
        let frameCount = Int(packet[1] & 0x3f)
        guard frameCount >= 1 else {
            throw .invalidOpusPacket("R5: a code 3 packet must hold at least one frame")
        }
        guard frameCount * samplesPerFrame <= maxPacketSamples48kHz else {
            let milliseconds = Double(frameCount * samplesPerFrame) / 48
            throw .invalidOpusPacket(
                "R5: a code 3 packet may hold at most 120 ms, this one holds \(frameCount) frames = \(milliseconds) ms")
        }

        var index = 2
        var paddingBytes = 0
        if hasPadding {
            while true {
                guard index < count else {
                    throw .invalidOpusPacket("R6/R7: the padding length runs past the packet's \(count) bytes")
                }
                let value = Int(packet[index])
                index += 1
                paddingBytes += value == 255 ? 254 : value
                if value != 255 { break }
            }
        }

        if isVariableBitrate {
            var declaredBytes = 0
            for _ in 0..<(frameCount - 1) {
                guard let (length, lengthBytes) = frameLength(in: packet, at: index) else {
                    throw .invalidOpusPacket("R7: the frame lengths of a VBR code 3 packet run past its end")
                }
                try checkFrameLength(length, rule: "R2")
                index += lengthBytes
                declaredBytes += length
            }
            let lastFrame = count - index - paddingBytes - declaredBytes
            guard lastFrame >= 0 else {
                throw .invalidOpusPacket(
                    "R7: a VBR code 3 packet of \(count) bytes is too short for its header, frames and \(paddingBytes) padding bytes")
            }
            try checkFrameLength(lastFrame, rule: "R2")
        } else {
            let frameBytes = count - index - paddingBytes
            guard frameBytes >= 0, frameBytes % frameCount == 0 else {
                throw .invalidOpusPacket(
                    "R6: a CBR code 3 packet's \(max(frameBytes, 0)) frame bytes do not split into \(frameCount) equal frames")
            }
            try checkFrameLength(frameBytes / frameCount, rule: "R2")
        }
        return frameCount
    }

    /// Frame length coding of RFC 6716 §3.2.1: one byte below 252, otherwise two.
    private static func frameLength(in packet: [UInt8], at index: Int) -> (length: Int, bytes: Int)? {
        guard index < packet.count else { return nil }
        let first = Int(packet[index])
        if first < 252 { return (first, 1) }
        guard index + 1 < packet.count else { return nil }
        return (first + 4 * Int(packet[index + 1]), 2)
    }

    private static func checkFrameLength(_ length: Int, rule: String) throws(AudioCodecError) {
        guard length <= maxFrameBytes else {
            throw .invalidOpusPacket("\(rule): a frame of \(length) bytes exceeds the 1275-byte limit")
        }
    }

    /// Frame duration by TOC configuration (RFC 6716 Table 2), in 48 kHz samples.
    static func samplesPerFrame(configuration: Int) -> Int {
        switch configuration {
        case 0..<12: [480, 960, 1920, 2880][configuration % 4]  // SILK: 10, 20, 40, 60 ms
        case 12..<16: [480, 960][configuration % 2]  // Hybrid: 10, 20 ms
        default: [120, 240, 480, 960][configuration % 4]  // CELT: 2.5, 5, 10, 20 ms
        }
    }
}
