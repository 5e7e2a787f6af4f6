import Testing

@testable import AudioCodec

struct OggCRCTests {
    @Test func matchesTheCatalogueCheckValue() {
        // CRC-32/CKSUM (same polynomial, init 0, unreflected) checks "123456789" as 0x765E7680
        // after its final XOR with 0xFFFFFFFF; Ogg applies no final XOR.
        #expect(OggCRC.checksum(Array("123456789".utf8)) == 0x765E_7680 ^ 0xFFFF_FFFF)
    }

    @Test func isNotZlibCRC() {
        // zlib's CRC-32 of "123456789" is 0xCBF43926.
        #expect(OggCRC.checksum(Array("123456789".utf8)) != 0xCBF4_3926)
    }
}
