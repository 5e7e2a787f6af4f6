/// G.711 μ-law companding (ITU-T G.711), as phone bridges send it at 8 kHz.
public enum MuLaw {
    private static let bias = 0x84
    private static let clip = 32_635

    private static let decodeTable: [Int16] = (0...255).map { code in
        let inverted = ~UInt8(code)
        let exponent = Int((inverted >> 4) & 0x07)
        let mantissa = Int(inverted & 0x0f)
        let magnitude = (((mantissa << 3) + bias) << exponent) - bias
        return Int16(inverted & 0x80 != 0 ? -magnitude : magnitude)
    }

    public static func decode(_ code: UInt8) -> Int16 { decodeTable[Int(code)] }

    public static func decode<Bytes: Sequence>(_ bytes: Bytes) -> [Int16] where Bytes.Element == UInt8 {
        bytes.map { decodeTable[Int($0)] }
    }

    public static func encode(_ sample: Int16) -> UInt8 {
        var value = Int(sample)
        let sign: UInt8 = value < 0 ? 0x80 : 0
        value = min(abs(value), clip) + bias
        var exponent = 7
        var mask = 0x4000
        while exponent > 0 && value & mask == 0 {
            exponent -= 1
            mask >>= 1
        }
        let mantissa = (value >> (exponent + 3)) & 0x0f
        return ~(sign | UInt8(exponent << 4) | UInt8(mantissa))
    }

    public static func encode(_ samples: [Int16]) -> [UInt8] { samples.map(encode) }
}
