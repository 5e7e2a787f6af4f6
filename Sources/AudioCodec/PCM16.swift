/// Signed 16-bit linear PCM ("L16") helpers: bytes to samples and channel downmix.
public enum PCM16 {
    public enum ByteOrder: String, Sendable, CaseIterable {
        /// Most WebSocket bridges and WAV files.
        case littleEndian = "le"
        /// RTP's L16 (RFC 3551) and some telephony gateways.
        case bigEndian = "be"
    }

    /// Interprets complete sample pairs of `bytes`; an odd trailing byte is ignored here and
    /// must be carried over by the caller (see `PCMStreamDecoder`).
    public static func samples(from bytes: some Collection<UInt8>, byteOrder: ByteOrder) -> [Int16] {
        var result: [Int16] = []
        result.reserveCapacity(bytes.count / 2)
        var iterator = bytes.makeIterator()
        while let first = iterator.next(), let second = iterator.next() {
            let value = byteOrder == .littleEndian
                ? UInt16(first) | UInt16(second) << 8
                : UInt16(second) | UInt16(first) << 8
            result.append(Int16(bitPattern: value))
        }
        return result
    }

    public static func bytes(from samples: [Int16], byteOrder: ByteOrder = .littleEndian) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(samples.count * 2)
        for sample in samples {
            let value = UInt16(bitPattern: sample)
            let low = UInt8(truncatingIfNeeded: value), high = UInt8(truncatingIfNeeded: value >> 8)
            result += byteOrder == .littleEndian ? [low, high] : [high, low]
        }
        return result
    }

    /// Averages interleaved channels into one.
    public static func downmix(_ interleaved: [Int16], channels: Int) -> [Int16] {
        guard channels > 1 else { return interleaved }
        return stride(from: 0, to: interleaved.count - channels + 1, by: channels).map { start in
            var sum = 0
            for channel in 0..<channels { sum += Int(interleaved[start + channel]) }
            return Int16(sum / channels)
        }
    }
}
