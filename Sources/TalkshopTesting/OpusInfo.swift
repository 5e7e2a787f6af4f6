import Foundation

/// Reads what `opusinfo` (opus-tools) reports, the reference for Ogg Opus durations.
public enum OpusInfo {
    /// Parses "Playback length: 0m:01.425s" (opusinfo truncates to milliseconds).
    public static func playbackLength(in report: String) -> Double? {
        guard let line = report.split(separator: "\n").first(where: { $0.contains("Playback length") }),
            let value = line.split(separator: ":", maxSplits: 1).last?.trimmingCharacters(in: .whitespaces)
        else { return nil }
        let parts = value.dropLast().split(separator: "m")
        guard parts.count == 2, let minutes = Double(parts[0]),
            let seconds = Double(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: ":")))
        else { return nil }
        return minutes * 60 + seconds
    }
}
