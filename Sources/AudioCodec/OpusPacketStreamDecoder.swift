/// Decodes raw Opus packets, one per chunk (the `opus` codec of the device protocol).
public struct OpusPacketStreamDecoder: AudioStreamDecoder {
    private let decoder: OpusDecoder
    private let maxPacketBytes: Int
    /// Duration of the previous packet, used to conceal a lost one.
    private var lastPacketSamples = recognitionSampleRate / 50

    public init(maxPacketBytes: Int = OggOpusReader.Limits().maxAudioPacketBytes) throws(AudioCodecError) {
        decoder = try OpusDecoder(sampleRate: recognitionSampleRate)
        self.maxPacketBytes = maxPacketBytes
    }

    public mutating func decode(_ bytes: [UInt8]) throws(AudioCodecError) -> [Int16] {
        guard bytes.count <= maxPacketBytes else {
            throw .oversizePacket("a \(bytes.count)-byte Opus packet exceeds the \(maxPacketBytes)-byte cap")
        }
        let pcm = try decoder.decode(bytes)
        lastPacketSamples = pcm.count
        return pcm
    }

    /// Synthesizes audio for `count` packets that never arrived (e.g. a sequence gap).
    public mutating func concealLostPackets(_ count: Int = 1) throws(AudioCodecError) -> [Int16] {
        var pcm: [Int16] = []
        for _ in 0..<max(0, count) { pcm += try decoder.concealLoss(samples: lastPacketSamples) }
        return pcm
    }

    public mutating func finish() throws(AudioCodecError) -> [Int16] { [] }
}
