/// Reads an Ogg Opus stream (RFC 7845) as it arrives and yields its audio packets, each
/// already checked against RFC 6716 §3.4.
public struct OggOpusReader: Sendable {
    public struct Limits: Sendable {
        /// Largest audio packet accepted. 120 ms of 1275-byte frames plus framing is 61,440 bytes.
        public var maxAudioPacketBytes: Int
        /// Largest header packet (OpusTags may carry long comments).
        public var maxHeaderPacketBytes: Int

        public init(maxAudioPacketBytes: Int = 61_440, maxHeaderPacketBytes: Int = 256 * 1024) {
            self.maxAudioPacketBytes = maxAudioPacketBytes
            self.maxHeaderPacketBytes = maxHeaderPacketBytes
        }
    }

    public struct AudioPacket: Sendable, Equatable {
        public var data: [UInt8]
        public var info: OpusPacketInfo
        /// Set on the last packet that ends on a page: the stream position (48 kHz samples,
        /// pre-skip included) at the end of this packet.
        public var granulePosition: Int64?
        public var endsStream: Bool
    }

    private var pages = OggPageReader()
    private var assembler: OggPacketAssembler
    private let limits: Limits
    public private(set) var head: OpusHead?
    public private(set) var tags: OpusTags?
    public private(set) var audioPacketCount = 0
    /// The granule position of the latest page on which a packet ended.
    public private(set) var lastGranulePosition: Int64?

    public init(limits: Limits = Limits()) {
        self.limits = limits
        self.assembler = OggPacketAssembler(maxPacketBytes: limits.maxHeaderPacketBytes)
    }

    public var endOfStreamSeen: Bool { assembler.endOfStreamSeen }

    /// Feeds received bytes; returns the audio packets they completed.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) throws(AudioCodecError) -> [AudioPacket]
    where Bytes.Element == UInt8 {
        pages.append(bytes)
        var audio: [AudioPacket] = []
        while let page = try pages.nextPage() {
            for packet in try assembler.packets(from: page) {
                if let granule = packet.granulePosition { lastGranulePosition = granule }
                if let audioPacket = try accept(packet) { audio.append(audioPacket) }
            }
        }
        return audio
    }

    /// Call at the end of the byte stream: fails if it stopped inside a page or packet, or
    /// before the headers were complete.
    public func finish() throws(AudioCodecError) {
        try pages.finish()
        try assembler.finish()
        guard head != nil else { throw .truncatedPacket("the stream ended before its OpusHead header") }
        guard tags != nil else { throw .truncatedPacket("the stream ended before its OpusTags header") }
    }

    private mutating func accept(_ packet: OggPacket) throws(AudioCodecError) -> AudioPacket? {
        if head == nil {
            head = try OpusHead(parsing: packet.data)
            return nil
        }
        if tags == nil {
            tags = try OpusTags(parsing: packet.data)
            assembler.maxPacketBytes = limits.maxAudioPacketBytes
            return nil
        }
        let info: OpusPacketInfo
        do {
            info = try OpusPacket.validate(packet.data)
        } catch {
            throw .invalidOpusPacket("audio packet \(audioPacketCount): \(error.detail)")
        }
        audioPacketCount += 1
        return AudioPacket(
            data: packet.data, info: info, granulePosition: packet.granulePosition, endsStream: packet.endsStream)
    }
}
