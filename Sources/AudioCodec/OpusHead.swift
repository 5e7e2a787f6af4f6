/// The Ogg Opus identification header (RFC 7845 §5.1).
public struct OpusHead: Sendable, Equatable {
    static let magic: [UInt8] = Array("OpusHead".utf8)

    public var version: UInt8 = 1
    public var channelCount: Int
    /// Samples (at 48 kHz) to discard from the decoder output at the start.
    public var preSkip: Int
    /// The sample rate of the original input; informational only, Opus always runs at 48 kHz.
    public var inputSampleRate: UInt32
    /// Gain in Q7.8 dB to apply to the output.
    public var outputGain: Int16 = 0
    public var mappingFamily: UInt8 = 0

    public init(channelCount: Int, preSkip: Int, inputSampleRate: UInt32, outputGain: Int16 = 0) {
        self.channelCount = channelCount
        self.preSkip = preSkip
        self.inputSampleRate = inputSampleRate
        self.outputGain = outputGain
    }

    /// Parses and validates the first packet of an Ogg Opus stream. Talkshop takes mono or
    /// stereo streams (channel mapping family 0) and decodes both to mono.
    public init(parsing packet: [UInt8]) throws(AudioCodecError) {
        guard packet.count >= 19, packet.starts(with: Self.magic) else {
            throw .invalidOpusHead("the first packet (\(packet.count) bytes) is not an OpusHead header")
        }
        version = packet[8]
        guard version >> 4 == 0 else {
            throw .invalidOpusHead("OpusHead version \(version) is an incompatible major version")
        }
        channelCount = Int(packet[9])
        preSkip = Int(packet.littleEndian(UInt16.self, at: 10))
        inputSampleRate = packet.littleEndian(UInt32.self, at: 12)
        outputGain = packet.littleEndian(Int16.self, at: 16)
        mappingFamily = packet[18]
        guard channelCount > 0 else {
            throw .unsupportedChannelCount("OpusHead declares zero channels")
        }
        guard mappingFamily == 0 else {
            throw .unsupportedMappingFamily(
                "channel mapping family \(mappingFamily) (\(channelCount) channels); only family 0, mono or stereo, is supported")
        }
        guard channelCount <= 2 else {
            throw .unsupportedChannelCount("\(channelCount) channels with mapping family 0, which allows 1 or 2")
        }
    }

    public func serialized() -> [UInt8] {
        var bytes = Self.magic
        bytes.append(version)
        bytes.append(UInt8(channelCount))
        bytes.appendLittleEndian(UInt16(preSkip))
        bytes.appendLittleEndian(inputSampleRate)
        bytes.appendLittleEndian(outputGain)
        bytes.append(mappingFamily)
        return bytes
    }
}

/// The Ogg Opus comment header (RFC 7845 §5.2).
public struct OpusTags: Sendable, Equatable {
    static let magic: [UInt8] = Array("OpusTags".utf8)

    public var vendor: String
    /// "KEY=value" user comments.
    public var comments: [String]

    public init(vendor: String, comments: [String] = []) {
        self.vendor = vendor
        self.comments = comments
    }

    public init(parsing packet: [UInt8]) throws(AudioCodecError) {
        guard packet.starts(with: Self.magic) else {
            throw .invalidOpusTags("the second packet is not an OpusTags header")
        }
        var index = 8
        func string(_ what: String) throws(AudioCodecError) -> String {
            guard index + 4 <= packet.count else {
                throw .invalidOpusTags("the \(what) length runs past the \(packet.count)-byte header")
            }
            let length = Int(packet.littleEndian(UInt32.self, at: index))
            index += 4
            guard length <= packet.count - index else {
                throw .invalidOpusTags("the \(what) (\(length) bytes) runs past the \(packet.count)-byte header")
            }
            defer { index += length }
            return String(decoding: packet[index..<(index + length)], as: UTF8.self)
        }
        vendor = try string("vendor string")
        guard index + 4 <= packet.count else {
            throw .invalidOpusTags("the comment count runs past the \(packet.count)-byte header")
        }
        let count = Int(packet.littleEndian(UInt32.self, at: index))
        index += 4
        // Each comment takes at least four bytes, which bounds a hostile count.
        guard count <= (packet.count - index) / 4 else {
            throw .invalidOpusTags("\(count) comments cannot fit in the \(packet.count)-byte header")
        }
        comments = []
        for number in 0..<count {
            comments.append(try string("comment \(number)"))
        }
    }

    public func serialized() -> [UInt8] {
        var bytes = Self.magic
        let vendorBytes = Array(vendor.utf8)
        bytes.appendLittleEndian(UInt32(vendorBytes.count))
        bytes.append(contentsOf: vendorBytes)
        bytes.appendLittleEndian(UInt32(comments.count))
        for comment in comments {
            let commentBytes = Array(comment.utf8)
            bytes.appendLittleEndian(UInt32(commentBytes.count))
            bytes.append(contentsOf: commentBytes)
        }
        return bytes
    }
}
