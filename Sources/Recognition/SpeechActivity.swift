/// Which 10 ms frames of an utterance hold speech, by energy against the utterance's own
/// quiet level. Used to ask how much of the speech the decoded sentence actually explains.
public enum SpeechActivity {
    public static let frameSamples = 160  // 10 ms at 16 kHz, PocketSphinx's frame rate

    /// One flag per 10 ms frame: louder than the utterance's 10th-percentile frame by
    /// `thresholdDecibels`, and above an absolute floor.
    public static func speechFrames(
        _ samples: [Int16], thresholdDecibels: Double = 12, absoluteFloorDecibels: Double = -55
    ) -> [Bool] {
        let levels = stride(from: 0, to: samples.count - frameSamples + 1, by: frameSamples).map { start in
            Endpointer.level(of: samples[start..<(start + frameSamples)])
        }
        guard !levels.isEmpty else { return [] }
        let quiet = levels.sorted()[levels.count / 10]
        return levels.map { $0 > absoluteFloorDecibels && $0 > quiet + thresholdDecibels }
    }
}
