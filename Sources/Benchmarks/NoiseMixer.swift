import Foundation

/// Mixes noise into speech at a given SNR, the way the Picovoice speech-to-intent benchmark
/// does: the noise is scaled so that the ratio of the loudest 2048-sample frame energy of the
/// speech to that of the noise equals the SNR.
public enum NoiseMixer {
    public static let frameLength = 2_048

    /// The largest sum of squares over consecutive, non-overlapping 2048-sample frames.
    public static func peakFrameEnergy(_ samples: some RandomAccessCollection<Int16>) -> Double {
        var peak = 0.0
        var index = samples.startIndex
        while index < samples.endIndex {
            let end = samples.index(index, offsetBy: frameLength, limitedBy: samples.endIndex) ?? samples.endIndex
            var energy = 0.0
            for sample in samples[index..<end] { energy += Double(sample) * Double(sample) }
            peak = max(peak, energy)
            index = end
        }
        return peak
    }

    /// Returns speech + scaled noise (the noise looped or cut to the speech's length), clipped.
    public static func mix(speech: [Int16], noise: [Int16], snrDecibels: Double) -> [Int16] {
        guard !speech.isEmpty, !noise.isEmpty else { return speech }
        let segment = (0..<speech.count).map { noise[$0 % noise.count] }
        let speechEnergy = peakFrameEnergy(speech)
        let noiseEnergy = peakFrameEnergy(segment)
        guard noiseEnergy > 0 else { return speech }
        let gain = (speechEnergy / (noiseEnergy * pow10(snrDecibels / 10))).squareRoot()
        return zip(speech, segment).map { speechSample, noiseSample in
            let value = Double(speechSample) + gain * Double(noiseSample)
            return Int16(max(-32_768, min(32_767, value.rounded())))
        }
    }

    private static func pow10(_ exponent: Double) -> Double { exp(exponent * log(10)) }
}
