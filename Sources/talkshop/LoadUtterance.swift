import AudioCodec
import Benchmarks
import Foundation
import Simulators

/// One recording as the load benchmark speaks it: 20 ms Opus packets, like a speaker sends,
/// cut shortly after the last loud frame. A device that detects the end of speech itself
/// sends `end_of_speech` there, so latency is measured from the end of the words, not from
/// the end of the file's trailing silence.
struct LoadUtterance: Sendable {
    var name: String
    var packets: [[UInt8]]
    /// Seconds of audio in each packet.
    var packetSeconds: [Double]
    var label: CommandLabel?
    /// The kept audio as 16 kHz PCM (for `--save-utterances`).
    var pcm: [Int16]

    var seconds: Double { packetSeconds.reduce(0, +) }

    /// Audio kept after the last frame above the loudness floor.
    static let tailSeconds = 0.15
    /// A 20 ms frame with an RMS level above -40 dBFS counts as loud.
    static let loudRMS = 328.0

    static func load(_ paths: [String], raw: RawAudioOptions, labels: [String: CommandLabel]) throws -> [LoadUtterance] {
        try paths.map { path in
            let file = try raw.load(path)
            let pcm = try file.decodeToRecognitionPCM()
            var (packets, seconds) = try opusPackets(of: file, pcm: pcm)
            let keep = Double(lastLoudSample(in: pcm)) / 16_000 + tailSeconds
            var total = 0.0
            let count = seconds.firstIndex { total += $0; return total >= keep }.map { $0 + 1 } ?? seconds.count
            packets.removeSubrange(count...)
            seconds.removeSubrange(count...)
            let name = URL(fileURLWithPath: path).lastPathComponent
            let kept = min(pcm.count, Int((seconds.reduce(0, +) * 16_000).rounded()))
            return LoadUtterance(name: name, packets: packets, packetSeconds: seconds, label: labels[name], pcm: Array(pcm[..<kept]))
        }
    }

    /// Writes each utterance as it is spoken (16 kHz WAV) and a control file listing them, so
    /// `pocketsphinx_batch` can decode exactly the audio the server decoded.
    static func save(_ utterances: [LoadUtterance], to directory: String) throws {
        let folder = URL(fileURLWithPath: directory)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var control: [String] = []
        for utterance in utterances {
            let stem = URL(fileURLWithPath: utterance.name).deletingPathExtension().lastPathComponent
            try Data(WAVFile.pcm16(samples: utterance.pcm, sampleRate: 16_000)).write(to: folder.appendingPathComponent("\(stem).wav"))
            control.append(stem)
        }
        try (control.joined(separator: "\n") + "\n").write(to: folder.appendingPathComponent("utterances.ctl"), atomically: true, encoding: .utf8)
    }

    /// An Ogg Opus file's own packets (what the accuracy benchmark decodes); anything else
    /// encoded to Opus once, before the run.
    private static func opusPackets(of file: AudioFile, pcm: [Int16]) throws -> ([[UInt8]], [Double]) {
        if file.format == .oggOpus {
            let (_, frames) = try VoiceClient.frames(for: file)
            return (frames.map(\.bytes), frames.map(\.seconds))
        }
        let encoder = try OpusEncoder()
        var packets: [[UInt8]] = []
        for start in stride(from: 0, to: pcm.count, by: encoder.frameSize) {
            var frame = Array(pcm[start..<min(start + encoder.frameSize, pcm.count)])
            frame += repeatElement(0, count: encoder.frameSize - frame.count)
            packets.append(try encoder.encode(frame: frame))
        }
        return (packets, Array(repeating: 0.02, count: packets.count))
    }

    /// The end of the last 20 ms frame louder than -40 dBFS (0 for a silent file).
    static func lastLoudSample(in pcm: [Int16]) -> Int {
        let frame = 320
        var end = 0
        for start in stride(from: 0, to: pcm.count, by: frame) {
            let slice = pcm[start..<min(start + frame, pcm.count)]
            let energy = slice.reduce(0.0) { $0 + Double($1) * Double($1) }
            if (energy / Double(slice.count)).squareRoot() > loudRMS { end = slice.endIndex }
        }
        return end
    }
}
