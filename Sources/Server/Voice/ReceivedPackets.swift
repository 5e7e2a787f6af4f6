import AudioCodec

/// The Opus packets a device sent, with where each falls in the stream, so an utterance can
/// be stored exactly as it was received: no re-encoding (which had cost a tenth of the
/// server's CPU under load) and no second generation of coding loss.
struct ReceivedPackets {
    private var packets: [(bytes: [UInt8], start: Int, samples: Int)] = []
    /// 16 kHz samples the stream has decoded to so far.
    private(set) var receivedSamples = 0

    mutating func append(_ bytes: [UInt8], samples: Int) {
        packets.append((bytes, receivedSamples, samples))
        receivedSamples += samples
    }

    /// Forgets packets that end before `sample` (nothing before it can be stored any more).
    mutating func discard(before sample: Int) {
        let keep = packets.firstIndex { $0.start + $0.samples > sample } ?? packets.count
        packets.removeFirst(keep)
    }

    /// The packets overlapping `range` (stream samples) as an Ogg Opus file.
    func oggOpus(covering range: Range<Int>) throws(AudioCodecError) -> [UInt8] {
        let chosen = packets.filter { $0.start < range.upperBound && $0.start + $0.samples > range.lowerBound }
        return try OggOpusEncoding.wrap(packets: chosen.map(\.bytes), sampleCounts: chosen.map(\.samples))
    }
}
