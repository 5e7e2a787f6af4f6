/// The CRC-32 of Ogg pages (RFC 3533): polynomial 0x04c11db7, initial value 0, no bit
/// reflection and no final XOR. This is *not* zlib's CRC-32, which reflects its bits.
enum OggCRC {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index) << 24
        for _ in 0..<8 {
            value = (value & 0x8000_0000) != 0 ? (value << 1) ^ 0x04c1_1db7 : value << 1
        }
        return value
    }

    static func checksum<Bytes: Sequence>(_ bytes: Bytes, startingWith crc: UInt32 = 0) -> UInt32
    where Bytes.Element == UInt8 {
        var crc = crc
        for byte in bytes {
            crc = (crc << 8) ^ table[Int(((crc >> 24) ^ UInt32(byte)) & 0xff)]
        }
        return crc
    }
}
