@testable import AudioCodec

/// Builds Ogg Opus streams page by page, with valid checksums, so tests can break one thing at a time.
struct OggStreamBuilder {
    var serial: UInt32 = 0x5A5A_0001
    private var sequence: UInt32 = 0
    private(set) var bytes: [UInt8] = []

    mutating func page(_ body: [UInt8], lacing: [UInt8]? = nil, flags: OggPage.Flags = [], granule: Int64 = 0) {
        let segments = lacing ?? (Array(repeating: 255, count: body.count / 255) + [UInt8(body.count % 255)])
        let page = OggPage(
            flags: flags, granulePosition: granule, serialNumber: serial, sequenceNumber: sequence,
            segmentTable: segments, body: body)
        sequence += 1
        bytes += page.serialized()
    }

    mutating func headers(channels: Int = 1) {
        var head = OpusHead(channelCount: 1, preSkip: 312, inputSampleRate: 16_000).serialized()
        head[9] = UInt8(channels)
        page(head, flags: .beginningOfStream)
        page(OpusTags(vendor: "test").serialized())
    }

    /// Reads the whole stream, as the server would, and returns how it ended.
    static func read(_ bytes: [UInt8], limits: OggOpusReader.Limits = .init()) throws(AudioCodecError) -> Int {
        var reader = OggOpusReader(limits: limits)
        let packets = try reader.append(bytes)
        try reader.finish()
        return packets.count
    }
}
