import Foundation

/// A streaming rational-ratio resampler: Kaiser-windowed sinc, polyphase.
///
/// Converts telephone (8 kHz) and wide-band (48 kHz) PCM to the 16 kHz the recogniser needs.
/// With 16 zero crossings on each side and β = 8.6, stop-band rejection is about 80 dB, and
/// the pass band reaches about 90% of the lower Nyquist frequency — well beyond speech needs.
/// Feed chunks of any size with `process`; `flush` returns the tail when the input ends.
public struct Resampler: Sendable {
    public let inputRate: Int
    public let outputRate: Int
    /// Output samples advance `step` input sub-positions of 1/`phases` each.
    private let phases: Int
    private let step: Int
    /// Taps either side of the centre, in input samples.
    private let halfWidth: Int
    /// `filters[phase]` holds 2 × halfWidth taps for inputs at offsets -halfWidth+1 … halfWidth.
    private let filters: [[Float]]

    /// Input history; `history[0]` is input sample number `historyStart`.
    private var history: [Float] = []
    private var historyStart = 0
    private var inputCount = 0
    private var outputCount = 0

    public init(inputRate: Int, outputRate: Int = 16_000) throws(AudioCodecError) {
        guard (1_000...192_000).contains(inputRate), (1_000...192_000).contains(outputRate) else {
            throw .unsupportedSampleRate("cannot resample \(inputRate) Hz to \(outputRate) Hz")
        }
        self.inputRate = inputRate
        self.outputRate = outputRate
        let divisor = Self.gcd(inputRate, outputRate)
        let phases = outputRate / divisor
        self.phases = phases
        step = inputRate / divisor

        // Below 1 when downsampling: the cut-off moves to the output's Nyquist frequency.
        let scale = min(1.0, Double(outputRate) / Double(inputRate))
        let zeroCrossings = 16.0
        let cutoff = 0.92 * scale
        let halfWidth = Int((zeroCrossings / scale).rounded(.up))
        self.halfWidth = halfWidth
        let width = Double(halfWidth)
        filters = (0..<phases).map { phase in
            let fraction = Double(phase) / Double(phases)
            return (0..<(2 * halfWidth)).map { index in
                let time = Double(index - halfWidth + 1) - fraction
                let window = Self.kaiser(time / width, beta: 8.6)
                return Float(cutoff * Self.sinc(cutoff * time) * window)
            }
        }
    }

    public var isIdentity: Bool { inputRate == outputRate }

    /// Resamples a chunk. Output lags input by `halfWidth` input samples until `flush`.
    public mutating func process(_ input: [Int16]) -> [Int16] {
        guard !isIdentity else { return input }
        history.reserveCapacity(history.count + input.count)
        for sample in input { history.append(Float(sample)) }
        inputCount += input.count
        return produce(availableInput: inputCount)
    }

    /// Returns the remaining output once the input has ended (treating what follows as silence).
    public mutating func flush() -> [Int16] {
        guard !isIdentity else { return [] }
        let total = (inputCount * phases + step - 1) / step
        history.append(contentsOf: repeatElement(0, count: halfWidth + 1))
        var output = produce(availableInput: inputCount + halfWidth + 1)
        output.removeLast(max(0, outputCount - total))
        outputCount = min(outputCount, total)
        return output
    }

    private mutating func produce(availableInput: Int) -> [Int16] {
        var output: [Int16] = []
        while true {
            let position = outputCount * step  // in 1/phases input samples
            let base = position / phases
            let phase = position % phases
            guard base + halfWidth < availableInput else { break }
            let filter = filters[phase]
            var sum: Float = 0
            for tap in 0..<(2 * halfWidth) {
                let inputIndex = base - halfWidth + 1 + tap - historyStart
                if inputIndex >= 0 { sum += history[inputIndex] * filter[tap] }
            }
            output.append(Int16(max(-32_768, min(32_767, sum.rounded()))))
            outputCount += 1
        }
        // Keep only the history the next output sample can still reach.
        let keepFrom = (outputCount * step) / phases - halfWidth + 1 - historyStart
        if keepFrom > 4_096 {
            history.removeFirst(keepFrom)
            historyStart += keepFrom
        }
        return output
    }

    private static func sinc(_ x: Double) -> Double {
        x == 0 ? 1 : sin(Double.pi * x) / (Double.pi * x)
    }

    /// Kaiser window over [-1, 1].
    private static func kaiser(_ x: Double, beta: Double) -> Double {
        guard abs(x) <= 1 else { return 0 }
        return besselI0(beta * (1 - x * x).squareRoot()) / besselI0(beta)
    }

    private static func besselI0(_ x: Double) -> Double {
        var sum = 1.0, term = 1.0, k = 1.0
        while term > 1e-12 * sum {
            term *= (x / (2 * k)) * (x / (2 * k))
            sum += term
            k += 1
        }
        return sum
    }

    private static func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
}
