/// Writes an Ogg Opus stream (RFC 7845): the two header pages, then audio pages that each
/// carry up to about one second of packets with their granule positions.
public struct OggOpusWriter: Sendable {
    private let serialNumber: UInt32
    private var sequenceNumber: UInt32 = 0
    private var pendingSegments: [UInt8] = []
    private var pendingBody: [UInt8] = []
    private var pendingGranule: Int64 = 0
    private var pendingPackets = 0
    /// Packets gathered per page; 50 × 20 ms keeps a page near one second.
    private let packetsPerPage = 50

    public let head: OpusHead

    public init(head: OpusHead, serialNumber: UInt32 = UInt32.random(in: 1...UInt32.max)) {
        self.head = head
        self.serialNumber = serialNumber
    }

    /// The identification and comment header pages; write them first.
    public mutating func headerPages(tags: OpusTags = OpusTags(vendor: "Talkshop")) -> [UInt8] {
        emitPage(segments: lacing(for: head.serialized().count), body: head.serialized(), granule: 0, flags: .beginningOfStream)
            + emitPage(segments: lacing(for: tags.serialized().count), body: tags.serialized(), granule: 0, flags: [])
    }

    /// Adds one Opus packet ending at `granulePosition` (48 kHz samples, pre-skip included).
    /// Returns the bytes of any page this completed.
    public mutating func append(packet: [UInt8], granulePosition: Int64) throws(AudioCodecError) -> [UInt8] {
        let segments = lacing(for: packet.count)
        guard segments.count <= 255 else {
            throw .oversizePacket("a \(packet.count)-byte packet does not fit in one Ogg page")
        }
        var output: [UInt8] = []
        if pendingSegments.count + segments.count > 255 || pendingPackets == packetsPerPage {
            output = flush(flags: [])
        }
        pendingSegments += segments
        pendingBody += packet
        pendingGranule = granulePosition
        pendingPackets += 1
        return output
    }

    /// Ends the stream: the last page carries the end-of-stream flag. `finalGranulePosition`
    /// may be below the last packet's end to trim padding from the final frame.
    public mutating func finish(finalGranulePosition: Int64? = nil) -> [UInt8] {
        if let finalGranulePosition { pendingGranule = finalGranulePosition }
        return flush(flags: .endOfStream)
    }

    private mutating func flush(flags: OggPage.Flags) -> [UInt8] {
        defer {
            pendingSegments.removeAll(keepingCapacity: true)
            pendingBody.removeAll(keepingCapacity: true)
            pendingPackets = 0
        }
        return emitPage(segments: pendingSegments, body: pendingBody, granule: pendingGranule, flags: flags)
    }

    private mutating func emitPage(segments: [UInt8], body: [UInt8], granule: Int64, flags: OggPage.Flags) -> [UInt8] {
        let page = OggPage(
            flags: flags, granulePosition: granule, serialNumber: serialNumber,
            sequenceNumber: sequenceNumber, segmentTable: segments, body: body)
        sequenceNumber += 1
        return page.serialized()
    }

    /// Lacing values for one packet: 255 for each full segment, then the remainder (maybe 0).
    private func lacing(for length: Int) -> [UInt8] {
        Array(repeating: 255, count: length / 255) + [UInt8(length % 255)]
    }
}
