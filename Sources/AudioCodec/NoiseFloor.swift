import Foundation

/// The background level of a stream: the quietest 20 ms frame of a recent window (minimum
/// statistics), which follows rising noise within the window and ignores speech, whose frames
/// are louder. The endpointer starts speech relative to it; the front end decides by it
/// whether the room is noisy enough to denoise.
public struct NoiseFloor: Sendable {
    /// Frames the window holds.
    public let capacity: Int
    private var levels: [Double] = []
    private var next = 0

    public init(frames capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds one frame's level (dBFS, `level(of:)`).
    public mutating func remember(_ level: Double) {
        if levels.count < capacity {
            levels.append(level)
        } else {
            levels[next] = level
            next = (next + 1) % capacity
        }
    }

    /// The floor in dBFS; nil before the first frame.
    public var decibels: Double? { levels.min() }

    /// Frames remembered so far (up to `capacity`).
    public var count: Int { levels.count }

    /// A frame's RMS level in dBFS (full scale = 0 dB; digital silence = -100).
    public static func level(of frame: some Collection<Int16>) -> Double {
        guard !frame.isEmpty else { return -100 }
        var sum = 0.0
        for sample in frame { sum += Double(sample) * Double(sample) }
        let rms = (sum / Double(frame.count)).squareRoot() / 32_768
        return rms > 0 ? max(-100, 20 * log10(rms)) : -100
    }
}
