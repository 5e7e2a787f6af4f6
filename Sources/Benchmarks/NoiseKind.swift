import Foundation

/// The noises the benchmarks mix into speech, each by the Picovoice benchmark's method
/// (`NoiseMixer`). Generated ones are seeded: every run mixes the same noise.
public enum NoiseKind: Equatable, CustomStringConvertible, Sendable {
    /// 1/f noise: the benchmark's own.
    case pink
    /// Six other recordings of the set, reversed and overlaid: other people talking, without
    /// words the grammar knows.
    case babble
    /// Three other recordings of the set overlaid: other customers ordering at once.
    case orders
    /// A plucked-note melody over a bass line.
    case music
    /// 1/f² rumble: a running tap, a fan.
    case brown
    /// A recording, looped, starting at a different point for each speech recording.
    case recording(name: String, samples: [Int16])

    /// pink, babble, orders, music, brown; nil for anything else (a file name).
    public init?(named name: String) {
        switch name {
        case "pink": self = .pink
        case "babble": self = .babble
        case "orders": self = .orders
        case "music": self = .music
        case "brown": self = .brown
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .pink: "pink"
        case .babble: "babble"
        case .orders: "orders"
        case .music: "music"
        case .brown: "brown"
        case .recording(let name, _): name
        }
    }

    /// Each recording of `speech` with this noise mixed in at `snr` dB; the voices of babble
    /// and orders come from the other recordings of the set.
    public func mixed(into speech: [[Int16]], snr: Double) -> [[Int16]] {
        speech.indices.map { index in
            NoiseMixer.mix(speech: speech[index], noise: noise(for: index, in: speech), snrDecibels: snr)
        }
    }

    private func noise(for index: Int, in speech: [[Int16]]) -> [Int16] {
        let length = speech[index].count
        // A generator per recording, seeded by its place in the set: the same noise every run.
        let seed = 2_048 &+ UInt64(index)
        switch self {
        case .pink:
            var generator = PinkNoise(seed: seed)
            return generator.samples(length)
        case .brown:
            var generator = BrownNoise(seed: seed)
            return generator.samples(length)
        case .music:
            var generator = ToneMusic(seed: seed)
            return generator.samples(length)
        case .babble:
            // Six speakers, each from a different point of their recording, played backwards.
            let others = (1...6).map { Array(speech[(index + $0 * 37) % speech.count].reversed()) }
            return (0..<length).map { position in
                Int16(clamping: others.enumerated().reduce(0) { sum, other in
                    sum + Int(other.element[(position + 4_000 + other.offset * 5_000) % other.element.count])
                } / 3)
            }
        case .orders:
            let others = (1...3).map { speech[(index + $0 * 37) % speech.count] }
            return (0..<length).map { position in
                Int16(clamping: others.reduce(0) { $0 + Int($1[(position + 4_000) % $1.count]) } / 2)
            }
        case .recording(_, let samples):
            guard !samples.isEmpty else { return [] }
            let offset = (index * 16_000 * 7) % samples.count
            return Array(samples[offset...] + samples[..<offset])
        }
    }
}
