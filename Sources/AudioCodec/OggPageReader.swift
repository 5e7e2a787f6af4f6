/// Splits an Ogg byte stream into checked pages, whatever way the bytes are chunked.
///
/// Bytes arrive in arbitrary pieces (WebSocket frames split pages anywhere). The reader keeps
/// at most one incomplete page plus the unread part of the last chunk, so memory is bounded by
/// `OggPage.maximumSize` plus the caller's own frame limit. It does not resynchronise: a
/// device stream is either well formed or rejected, with the byte offset of the fault.
public struct OggPageReader: Sendable {
    private var buffer: [UInt8] = []
    private var readIndex = 0
    /// Offset in the whole stream of `buffer[readIndex]`, for error messages.
    private var streamOffset = 0
    private var pagesRead = 0

    public init() {}

    /// Adds received bytes. Call `nextPage()` until it returns nil to drain them.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete page, or nil when more bytes are needed.
    public mutating func nextPage() throws(AudioCodecError) -> OggPage? {
        let available = buffer.count - readIndex
        let start = readIndex
        let place = "page \(pagesRead) at byte \(streamOffset)"

        let patternBytes = min(available, 4)
        if buffer[start..<(start + patternBytes)].elementsEqual(OggPage.capturePattern.prefix(patternBytes)) == false {
            throw .missingCapturePattern("\(place): expected \"OggS\"")
        }
        guard available >= OggPage.fixedHeaderSize else { return nil }
        let version = buffer[start + 4]
        guard version == 0 else {
            throw .unsupportedOggVersion("\(place): stream structure version \(version), expected 0")
        }
        let segmentCount = Int(buffer[start + 26])
        let headerSize = OggPage.fixedHeaderSize + segmentCount
        guard available >= headerSize else { return nil }
        let segmentTable = Array(buffer[(start + 27)..<(start + headerSize)])
        let bodySize = segmentTable.reduce(0) { $0 + Int($1) }
        guard available >= headerSize + bodySize else { return nil }

        let pageBytes = buffer[start..<(start + headerSize + bodySize)]
        let storedCRC = buffer.littleEndian(UInt32.self, at: start + 22)
        var crc = OggCRC.checksum(pageBytes.prefix(22))
        crc = OggCRC.checksum([0, 0, 0, 0], startingWith: crc)
        crc = OggCRC.checksum(pageBytes.dropFirst(26), startingWith: crc)
        guard crc == storedCRC else {
            throw .badPageChecksum(
                "\(place): checksum \(hex(storedCRC)), computed \(hex(crc)) over \(pageBytes.count) bytes")
        }

        let page = OggPage(
            flags: OggPage.Flags(rawValue: buffer[start + 5]),
            granulePosition: buffer.littleEndian(Int64.self, at: start + 6),
            serialNumber: buffer.littleEndian(UInt32.self, at: start + 14),
            sequenceNumber: buffer.littleEndian(UInt32.self, at: start + 18),
            segmentTable: segmentTable,
            body: Array(buffer[(start + headerSize)..<(start + headerSize + bodySize)])
        )
        readIndex += pageBytes.count
        streamOffset += pageBytes.count
        pagesRead += 1
        return page
    }

    /// Call when the stream has ended: fails if it stopped inside a page.
    public func finish() throws(AudioCodecError) {
        let leftover = buffer.count - readIndex
        guard leftover == 0 else {
            throw .truncatedPage(
                "page \(pagesRead) at byte \(streamOffset): stream ended after \(leftover) of the page's bytes")
        }
    }

    /// Whether bytes of an incomplete page are waiting.
    public var hasPartialPage: Bool { buffer.count > readIndex }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
