import Foundation
import Grammar

/// Music-like sound for noise tests: a seeded melody of plucked notes with harmonics over a
/// bass line — tonal and rhythmic, unlike noise, and with no words in it.
public struct ToneMusic {
    private var generator: SeededGenerator

    public init(seed: UInt64 = 1) { generator = SeededGenerator(seed: seed) }

    public mutating func samples(_ count: Int, sampleRate: Double = 16_000) -> [Int16] {
        var output = [Double](repeating: 0, count: count)
        // A C major scale over two octaves, and a bass note under every fourth melody note.
        let scale = [261.63, 293.66, 329.63, 349.23, 392.00, 440.00, 493.88, 523.25, 587.33, 659.25]
        var start = 0, index = 0
        while start < count {
            let noteLength = Int(sampleRate * [0.25, 0.25, 0.5, 0.375].randomElement(using: &generator)!)
            let frequency = scale.randomElement(using: &generator)!
            pluck(&output, at: start, length: noteLength * 2, frequency: frequency, amplitude: 0.5, sampleRate: sampleRate)
            if index % 4 == 0 { pluck(&output, at: start, length: noteLength * 4, frequency: frequency / 4, amplitude: 0.4, sampleRate: sampleRate) }
            start += noteLength
            index += 1
        }
        let peak = max(output.map(abs).max() ?? 1, 1e-9)
        return output.map { Int16(($0 / peak) * 12_000) }
    }

    /// A note with three harmonics and an exponential decay, added into `output`.
    private func pluck(_ output: inout [Double], at start: Int, length: Int, frequency: Double, amplitude: Double, sampleRate: Double) {
        for offset in 0..<length where start + offset < output.count {
            let time = Double(offset) / sampleRate
            let decay = exp(-time * 6)
            var value = 0.0
            for (harmonic, weight) in [(1.0, 1.0), (2.0, 0.5), (3.0, 0.25)] {
                value += weight * sin(2 * Double.pi * frequency * harmonic * time)
            }
            output[start + offset] += amplitude * decay * value
        }
    }
}
