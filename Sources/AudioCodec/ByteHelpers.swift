extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        append(contentsOf: value.littleEndianBytes)
    }
}

extension FixedWidthInteger {
    var littleEndianBytes: [UInt8] {
        (0..<(Self.bitWidth / 8)).map { UInt8(truncatingIfNeeded: self >> ($0 * 8)) }
    }
}

extension RandomAccessCollection where Element == UInt8, Index == Int {
    /// Reads a little-endian integer at `offset`; the caller has checked the bounds.
    func littleEndian<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
        var value: T = 0
        for index in 0..<(T.bitWidth / 8) {
            value |= T(truncatingIfNeeded: self[offset + index]) << (index * 8)
        }
        return value
    }
}
