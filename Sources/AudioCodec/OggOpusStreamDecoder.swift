/// Decodes an Ogg Opus byte stream (pages may be split across chunks) to 16 kHz mono PCM,
/// honouring the stream's pre-skip at the start and its final granule position at the end.
public struct OggOpusStreamDecoder: AudioStreamDecoder {
    private var reader: OggOpusReader
    private let decoder: OpusDecoder
    /// 48 kHz samples per output sample.
    private static let rateRatio = 48_000 / recognitionSampleRate
    private var samplesToSkip: Int?
    /// Output samples produced so far, pre-skip excluded.
    private var emitted = 0

    public init(limits: OggOpusReader.Limits = .init()) throws(AudioCodecError) {
        reader = OggOpusReader(limits: limits)
        decoder = try OpusDecoder(sampleRate: recognitionSampleRate)
    }

    public var head: OpusHead? { reader.head }

    public mutating func decode(_ bytes: [UInt8]) throws(AudioCodecError) -> [Int16] {
        var output: [Int16] = []
        for packet in try reader.append(bytes) {
            if samplesToSkip == nil, let head = reader.head { samplesToSkip = head.preSkip / Self.rateRatio }
            var pcm = try decoder.decode(packet.data)
            if let skip = samplesToSkip, skip > 0 {
                let dropped = min(skip, pcm.count)
                pcm.removeFirst(dropped)
                samplesToSkip = skip - dropped
            }
            if packet.endsStream, let granule = packet.granulePosition, let head = reader.head {
                // The last page's granule position marks where the audio really ends (RFC 7845 §4.4).
                let total = max(0, Int(granule) - head.preSkip) / Self.rateRatio
                pcm = Array(pcm.prefix(max(0, total - emitted)))
            }
            emitted += pcm.count
            output += pcm
        }
        return output
    }

    public mutating func finish() throws(AudioCodecError) -> [Int16] {
        try reader.finish()
        return []
    }
}
