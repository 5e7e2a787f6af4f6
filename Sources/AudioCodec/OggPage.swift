/// One Ogg page (RFC 3533 §6): a header with a lacing table and the body it describes.
public struct OggPage: Sendable, Equatable {
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// The first packet on this page continues one from the previous page.
        public static let continued = Flags(rawValue: 0x01)
        public static let beginningOfStream = Flags(rawValue: 0x02)
        public static let endOfStream = Flags(rawValue: 0x04)
    }

    static let capturePattern: [UInt8] = Array("OggS".utf8)
    static let fixedHeaderSize = 27
    /// The largest possible page: fixed header, 255 lacing values, 255 × 255 body bytes.
    public static let maximumSize = fixedHeaderSize + 255 + 255 * 255

    public var flags: Flags
    /// Codec-defined position after the last packet that ends on this page; -1 when none ends here.
    public var granulePosition: Int64
    public var serialNumber: UInt32
    public var sequenceNumber: UInt32
    /// Lacing values: a value below 255 ends a packet, 255 means the packet goes on.
    public var segmentTable: [UInt8]
    public var body: [UInt8]

    public init(
        flags: Flags, granulePosition: Int64, serialNumber: UInt32, sequenceNumber: UInt32,
        segmentTable: [UInt8], body: [UInt8]
    ) {
        self.flags = flags
        self.granulePosition = granulePosition
        self.serialNumber = serialNumber
        self.sequenceNumber = sequenceNumber
        self.segmentTable = segmentTable
        self.body = body
    }

    /// The page as bytes on the wire, with its checksum computed.
    public func serialized() -> [UInt8] {
        var bytes = Self.capturePattern
        bytes.reserveCapacity(Self.fixedHeaderSize + segmentTable.count + body.count)
        bytes.append(0)  // stream structure version
        bytes.append(flags.rawValue)
        bytes.appendLittleEndian(UInt64(bitPattern: granulePosition))
        bytes.appendLittleEndian(serialNumber)
        bytes.appendLittleEndian(sequenceNumber)
        bytes.appendLittleEndian(UInt32(0))  // checksum placeholder
        bytes.append(UInt8(segmentTable.count))
        bytes.append(contentsOf: segmentTable)
        bytes.append(contentsOf: body)
        let crc = OggCRC.checksum(bytes)
        bytes.replaceSubrange(22..<26, with: crc.littleEndianBytes)
        return bytes
    }
}
