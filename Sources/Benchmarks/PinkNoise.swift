import Grammar

/// Pink (1/f) noise from seeded white noise through Paul Kellet's refined filter
/// (accurate to ±0.05 dB above 9.2 Hz at 44.1 kHz; close enough at 16 kHz for speech tests).
public struct PinkNoise {
    private var generator: SeededGenerator
    private var b0 = 0.0, b1 = 0.0, b2 = 0.0, b3 = 0.0, b4 = 0.0, b5 = 0.0, b6 = 0.0

    public init(seed: UInt64 = 1) { generator = SeededGenerator(seed: seed) }

    public mutating func samples(_ count: Int, amplitude: Double = 6_000) -> [Int16] {
        (0..<count).map { _ in
            let white = Double.random(in: -1...1, using: &generator)
            b0 = 0.99886 * b0 + white * 0.0555179
            b1 = 0.99332 * b1 + white * 0.0750759
            b2 = 0.96900 * b2 + white * 0.1538520
            b3 = 0.86650 * b3 + white * 0.3104856
            b4 = 0.55000 * b4 + white * 0.5329522
            b5 = -0.7616 * b5 - white * 0.0168980
            let pink = b0 + b1 + b2 + b3 + b4 + b5 + b6 + white * 0.5362
            b6 = white * 0.115926
            return Int16(max(-32_768, min(32_767, pink * 0.11 * amplitude)))
        }
    }
}
