/// A packet reassembled from the lacing of one or more Ogg pages.
public struct OggPacket: Sendable, Equatable {
    public var data: [UInt8]
    /// The page's granule position when this is the last packet to end on that page.
    public var granulePosition: Int64?
    /// This packet ends on the page that carries the end-of-stream flag.
    public var endsStream: Bool
}

/// Turns the pages of one logical Ogg stream into packets (RFC 3533 §5–6).
///
/// Checks what the page structure promises: one serial number, consecutive sequence numbers,
/// continuation flags that agree with the lacing, and no packet larger than `maxPacketBytes`
/// (a stream of endlessly continued segments is cut off there, not buffered without bound).
struct OggPacketAssembler: Sendable {
    var maxPacketBytes: Int
    private var serialNumber: UInt32?
    private var nextSequenceNumber: UInt32 = 0
    private var partialPacket: [UInt8] = []
    private var packetIsOpen = false
    private(set) var endOfStreamSeen = false
    private(set) var packetsCompleted = 0

    init(maxPacketBytes: Int) {
        self.maxPacketBytes = maxPacketBytes
    }

    mutating func packets(from page: OggPage) throws(AudioCodecError) -> [OggPacket] {
        let place = "page \(page.sequenceNumber)"
        if let serialNumber {
            guard page.serialNumber == serialNumber, !page.flags.contains(.beginningOfStream) else {
                throw .unexpectedStreamSerial(
                    "\(place): serial \(page.serialNumber) after stream \(serialNumber); chained or multiplexed Ogg streams are not supported")
            }
            guard !endOfStreamSeen else {
                throw .unexpectedStreamSerial("\(place): page after the end-of-stream page")
            }
            guard page.sequenceNumber == nextSequenceNumber else {
                throw .pageSequenceGap("\(place): expected page sequence number \(nextSequenceNumber)")
            }
        } else {
            guard page.flags.contains(.beginningOfStream) else {
                throw .continuationMismatch("\(place): the first page lacks the beginning-of-stream flag")
            }
            serialNumber = page.serialNumber
        }
        nextSequenceNumber = page.sequenceNumber &+ 1

        if page.flags.contains(.continued) != packetIsOpen {
            throw .continuationMismatch(
                packetIsOpen
                    ? "\(place): a packet from the previous page is not continued"
                    : "\(place): marked as continuing a packet, but none is open")
        }

        var completed: [OggPacket] = []
        var bodyIndex = 0
        for lacing in page.segmentTable {
            let length = Int(lacing)
            partialPacket.append(contentsOf: page.body[bodyIndex..<(bodyIndex + length)])
            bodyIndex += length
            guard partialPacket.count <= maxPacketBytes else {
                throw .oversizePacket(
                    "\(place): packet \(packetsCompleted) exceeds the \(maxPacketBytes)-byte limit")
            }
            if lacing < 255 {
                completed.append(OggPacket(data: partialPacket, granulePosition: nil, endsStream: false))
                partialPacket.removeAll(keepingCapacity: true)
                packetsCompleted += 1
                packetIsOpen = false
            } else {
                packetIsOpen = true
            }
        }

        endOfStreamSeen = page.flags.contains(.endOfStream)
        if endOfStreamSeen && packetIsOpen {
            throw .truncatedPacket("\(place): the end-of-stream page leaves a packet unfinished")
        }
        if !completed.isEmpty {
            completed[completed.count - 1].granulePosition = page.granulePosition
            completed[completed.count - 1].endsStream = endOfStreamSeen
        }
        return completed
    }

    /// Call when the byte stream has ended: fails if a packet was left unfinished.
    func finish() throws(AudioCodecError) {
        guard !packetIsOpen else {
            throw .truncatedPacket(
                "the stream ended inside packet \(packetsCompleted) (\(partialPacket.count) bytes so far)")
        }
    }
}
