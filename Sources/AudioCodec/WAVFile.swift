/// RIFF WAVE files: 16-bit PCM and 8-bit G.711 μ-law in, 16-bit PCM out.
public struct WAVFile: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        case pcm16
        case muLaw
    }

    public var encoding: Encoding
    public var sampleRate: Int
    public var channels: Int
    /// The data chunk exactly as stored.
    public var data: [UInt8]

    /// Interleaved samples as 16-bit PCM.
    public var samples: [Int16] {
        switch encoding {
        case .pcm16: PCM16.samples(from: data, byteOrder: .littleEndian)
        case .muLaw: MuLaw.decode(data)
        }
    }

    public var frameCount: Int { data.count / (encoding == .pcm16 ? 2 : 1) / channels }

    public init(parsing bytes: [UInt8]) throws(AudioCodecError) {
        guard bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)),
            Array(bytes[8..<12]) == Array("WAVE".utf8)
        else {
            throw .invalidWAV("not a RIFF WAVE file")
        }
        var format: (tag: UInt16, channels: Int, rate: Int, bits: Int)?
        var index = 12
        while index + 8 <= bytes.count {
            let id = String(decoding: bytes[index..<(index + 4)], as: UTF8.self)
            let size = Int(bytes.littleEndian(UInt32.self, at: index + 4))
            let body = index + 8
            // Streaming writers leave the data size at its maximum; take what is there.
            let end = min(bytes.count, body + size)
            if id == "fmt " {
                guard size >= 16, body + 16 <= bytes.count else { throw .invalidWAV("the fmt chunk is too short") }
                var tag = bytes.littleEndian(UInt16.self, at: body)
                if tag == 0xfffe, size >= 40, body + 26 <= bytes.count {  // WAVE_FORMAT_EXTENSIBLE
                    tag = bytes.littleEndian(UInt16.self, at: body + 24)
                }
                format = (
                    tag, Int(bytes.littleEndian(UInt16.self, at: body + 2)),
                    Int(bytes.littleEndian(UInt32.self, at: body + 4)),
                    Int(bytes.littleEndian(UInt16.self, at: body + 14))
                )
            } else if id == "data" {
                guard let format else { throw .invalidWAV("the data chunk comes before the fmt chunk") }
                switch (format.tag, format.bits) {
                case (1, 16): encoding = .pcm16
                case (7, 8): encoding = .muLaw
                default:
                    throw .invalidWAV("format tag \(format.tag) with \(format.bits) bits; only 16-bit PCM and 8-bit μ-law are read")
                }
                guard (1...2).contains(format.channels) else {
                    throw .unsupportedChannelCount("a WAV file with \(format.channels) channels; 1 or 2 are supported")
                }
                guard (1_000...192_000).contains(format.rate) else {
                    throw .unsupportedSampleRate("a WAV file at \(format.rate) Hz")
                }
                channels = format.channels
                sampleRate = format.rate
                data = Array(bytes[body..<end])
                return
            }
            index = body + size + (size & 1)  // chunks are padded to even sizes
        }
        throw .invalidWAV("no data chunk")
    }

    /// A 16-bit PCM file of the given samples.
    public static func pcm16(samples: [Int16], sampleRate: Int, channels: Int = 1) -> [UInt8] {
        let data = PCM16.bytes(from: samples)
        var bytes = Array("RIFF".utf8)
        bytes.appendLittleEndian(UInt32(36 + data.count))
        bytes += Array("WAVEfmt ".utf8)
        bytes.appendLittleEndian(UInt32(16))
        bytes.appendLittleEndian(UInt16(1))
        bytes.appendLittleEndian(UInt16(channels))
        bytes.appendLittleEndian(UInt32(sampleRate))
        bytes.appendLittleEndian(UInt32(sampleRate * channels * 2))
        bytes.appendLittleEndian(UInt16(channels * 2))
        bytes.appendLittleEndian(UInt16(16))
        bytes += Array("data".utf8)
        bytes.appendLittleEndian(UInt32(data.count))
        return bytes + data
    }
}
