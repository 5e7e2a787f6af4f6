import Grammar

/// Brown (1/f²) noise — the rumble of a running tap, a fan or a cooker hood — from seeded
/// white noise through a leaky integrator.
public struct BrownNoise {
    private var generator: SeededGenerator
    private var level = 0.0

    public init(seed: UInt64 = 1) { generator = SeededGenerator(seed: seed) }

    public mutating func samples(_ count: Int, amplitude: Double = 6_000) -> [Int16] {
        (0..<count).map { _ in
            level = 0.995 * level + 0.1 * Double.random(in: -1...1, using: &generator)
            return Int16(max(-32_768, min(32_767, level * amplitude)))
        }
    }
}
