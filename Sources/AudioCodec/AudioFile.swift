/// A whole audio file in memory: what it holds (without decoding) and its 16 kHz mono PCM.
public struct AudioFile: Sendable {
    public struct Info: Sendable, Equatable {
        public var format: AudioFormat
        public var codec: String
        /// The rate of the stored audio (for Opus, the input rate the header records).
        public var sampleRate: Int
        public var channels: Int
        public var durationSeconds: Double
        /// Opus packets, or nil for formats without packets.
        public var packets: Int?
        public var preSkip: Int?
    }

    public let bytes: [UInt8]
    public let format: AudioFormat

    public init(bytes: [UInt8], format: AudioFormat) {
        self.bytes = bytes
        self.format = format
    }

    /// Describes the file. For Ogg Opus the duration comes from the last granule position
    /// minus the pre-skip, exactly as `opusinfo` and `opusdec` compute it.
    public func info() throws(AudioCodecError) -> Info {
        switch format {
        case .oggOpus:
            var reader = OggOpusReader()
            _ = try reader.append(bytes)
            try reader.finish()
            guard let head = reader.head else { throw .truncatedPacket("no OpusHead") }
            let samples48k = max(0, Int(reader.lastGranulePosition ?? 0) - head.preSkip)
            return Info(
                format: format, codec: "opus", sampleRate: Int(head.inputSampleRate), channels: head.channelCount,
                durationSeconds: Double(samples48k) / 48_000, packets: reader.audioPacketCount, preSkip: head.preSkip)
        case .wav:
            let wav = try WAVFile(parsing: bytes)
            return Info(
                format: format, codec: wav.encoding == .pcm16 ? "pcm_s16le" : "mulaw", sampleRate: wav.sampleRate,
                channels: wav.channels, durationSeconds: Double(wav.frameCount) / Double(wav.sampleRate),
                packets: nil, preSkip: nil)
        case .muLaw(let rate):
            return Info(
                format: format, codec: "mulaw", sampleRate: rate, channels: 1,
                durationSeconds: Double(bytes.count) / Double(rate), packets: nil, preSkip: nil)
        case .linear16(let rate, let channels, let order):
            return Info(
                format: format, codec: order == .littleEndian ? "pcm_s16le" : "pcm_s16be", sampleRate: rate,
                channels: channels, durationSeconds: Double(bytes.count / 2 / channels) / Double(rate),
                packets: nil, preSkip: nil)
        }
    }

    /// Decodes the whole file to 16 kHz mono, through the same stream decoders the server uses.
    public func decodeToRecognitionPCM() throws(AudioCodecError) -> [Int16] {
        switch format {
        case .oggOpus:
            var decoder = try OggOpusStreamDecoder()
            return try decoder.decode(bytes) + decoder.finish()
        case .wav:
            let wav = try WAVFile(parsing: bytes)
            var decoder = try PCMStreamDecoder(
                encoding: wav.encoding == .pcm16 ? .linear16(.littleEndian) : .muLaw,
                sampleRate: wav.sampleRate, channels: wav.channels)
            return try decoder.decode(wav.data) + decoder.finish()
        case .muLaw(let rate):
            var decoder = try PCMStreamDecoder(encoding: .muLaw, sampleRate: rate)
            return try decoder.decode(bytes) + decoder.finish()
        case .linear16(let rate, let channels, let order):
            var decoder = try PCMStreamDecoder(encoding: .linear16(order), sampleRate: rate, channels: channels)
            return try decoder.decode(bytes) + decoder.finish()
        }
    }
}
