/// Encodes 16 kHz mono PCM into a complete Ogg Opus file (stored recordings, fixtures, replies).
public enum OggOpusEncoding {
    /// Returns the bytes of an Ogg Opus stream holding exactly `samples` (16 kHz mono):
    /// the pre-skip covers the encoder's lookahead and the final granule trims the padding
    /// of the last frame, so a conforming decoder returns the same number of samples.
    public static func encode(
        _ samples: [Int16], bitrate: Int = 24_000, complexity: Int = 10, comments: [String] = [],
        serialNumber: UInt32 = .random(in: 1...UInt32.max)
    ) throws(AudioCodecError) -> [UInt8] {
        let rateRatio = 48_000 / recognitionSampleRate
        let encoder = try OpusEncoder(sampleRate: recognitionSampleRate, bitrate: bitrate, complexity: complexity)
        let preSkip = encoder.lookahead * rateRatio
        let head = OpusHead(channelCount: 1, preSkip: preSkip, inputSampleRate: UInt32(recognitionSampleRate))
        var writer = OggOpusWriter(head: head, serialNumber: serialNumber)
        var output = writer.headerPages(tags: OpusTags(vendor: "Talkshop", comments: comments))

        // Pad with silence so the lookahead is flushed and the last frame is whole.
        let frame = encoder.frameSize
        let needed = samples.count + encoder.lookahead
        let padded = samples + [Int16](repeating: 0, count: (needed + frame - 1) / frame * frame - samples.count)
        var granule = Int64(0)
        for start in stride(from: 0, to: padded.count, by: frame) {
            let packet = try encoder.encode(frame: Array(padded[start..<(start + frame)]))
            granule += Int64(frame * rateRatio)
            output += try writer.append(packet: packet, granulePosition: granule)
        }
        output += writer.finish(finalGranulePosition: Int64(preSkip + samples.count * rateRatio))
        return output
    }

    /// Wraps Opus packets as they were received (mono, 20 ms or any duration) in an Ogg Opus
    /// stream, without decoding or re-encoding them. `sampleCounts` are the 16 kHz samples
    /// each packet decodes to. The stream starts mid-conversation, so there is no pre-skip.
    public static func wrap(
        packets: [[UInt8]], sampleCounts: [Int], serialNumber: UInt32 = .random(in: 1...UInt32.max)
    ) throws(AudioCodecError) -> [UInt8] {
        let rateRatio = Int64(48_000 / recognitionSampleRate)
        let head = OpusHead(channelCount: 1, preSkip: 0, inputSampleRate: UInt32(recognitionSampleRate))
        var writer = OggOpusWriter(head: head, serialNumber: serialNumber)
        var output = writer.headerPages(tags: OpusTags(vendor: "Talkshop"))
        var granule = Int64(0)
        for (packet, samples) in zip(packets, sampleCounts) {
            granule += Int64(samples) * rateRatio
            output += try writer.append(packet: packet, granulePosition: granule)
        }
        output += writer.finish(finalGranulePosition: granule)
        return output
    }
}
