import Foundation

/// Small signal helpers for the audio tests.
enum Signal {
    static func sine(frequency: Double, sampleRate: Int, seconds: Double, amplitude: Double = 8_000) -> [Int16] {
        let count = Int(Double(sampleRate) * seconds)
        return (0..<count).map { index in
            Int16(amplitude * sin(2 * .pi * frequency * Double(index) / Double(sampleRate)))
        }
    }

    static func rms(_ samples: some Collection<Int16>) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sum = samples.reduce(0.0) { $0 + Double($1) * Double($1) }
        return (sum / Double(samples.count)).squareRoot()
    }

    /// Dominant frequency by counting upward zero crossings (good enough for one pure tone).
    static func zeroCrossingFrequency(_ samples: [Int16], sampleRate: Int) -> Double {
        var crossings = 0
        for index in 1..<samples.count where samples[index - 1] < 0 && samples[index] >= 0 { crossings += 1 }
        return Double(crossings) * Double(sampleRate) / Double(samples.count)
    }
}
