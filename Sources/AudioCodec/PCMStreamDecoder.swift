/// Decodes L16 (signed 16-bit linear PCM) or G.711 μ-law byte streams to 16 kHz mono,
/// resampling and downmixing as needed. Chunks may split a sample or a frame anywhere.
public struct PCMStreamDecoder: AudioStreamDecoder {
    public enum Encoding: Sendable, Equatable {
        case linear16(PCM16.ByteOrder)
        case muLaw
    }

    public static let supportedSampleRates = [8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000]

    public let encoding: Encoding
    public let sampleRate: Int
    public let channels: Int
    private var resampler: Resampler
    /// Bytes of an incomplete frame (all channels of one sample instant) kept for the next chunk.
    private var carry: [UInt8] = []

    public init(encoding: Encoding, sampleRate: Int, channels: Int = 1) throws(AudioCodecError) {
        guard Self.supportedSampleRates.contains(sampleRate) else {
            throw .unsupportedSampleRate(
                "\(sampleRate) Hz; supported: \(Self.supportedSampleRates.map(String.init).joined(separator: ", "))")
        }
        guard (1...2).contains(channels) else {
            throw .unsupportedChannelCount("\(channels) channels; send mono or stereo")
        }
        self.encoding = encoding
        self.sampleRate = sampleRate
        self.channels = channels
        resampler = try Resampler(inputRate: sampleRate, outputRate: recognitionSampleRate)
    }

    private var bytesPerFrame: Int {
        switch encoding {
        case .linear16: 2 * channels
        case .muLaw: channels
        }
    }

    public mutating func decode(_ bytes: [UInt8]) throws(AudioCodecError) -> [Int16] {
        carry += bytes
        let usable = carry.count - carry.count % bytesPerFrame
        guard usable > 0 else { return [] }
        let interleaved: [Int16] =
            switch encoding {
            case .linear16(let order): PCM16.samples(from: carry[..<usable], byteOrder: order)
            case .muLaw: MuLaw.decode(carry[..<usable])
            }
        carry.removeFirst(usable)
        return resampler.process(PCM16.downmix(interleaved, channels: channels))
    }

    public mutating func finish() throws(AudioCodecError) -> [Int16] {
        guard carry.isEmpty else {
            throw .truncatedPacket("the stream ended inside a sample frame (\(carry.count) stray bytes)")
        }
        return resampler.flush()
    }
}
