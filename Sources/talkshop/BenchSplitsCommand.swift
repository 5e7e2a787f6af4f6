import ArgumentParser
import Benchmarks
import Foundation

struct BenchSplitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "splits",
        abstract: "How many one-command recordings the endpointer cuts into several utterances.",
        discussion: """
            Listens to each recording like an always-on device (the endpointer re-arms after each
            utterance) and counts the recordings heard as more than one utterance: a command cut
            in two, as a shorter silence after a complete sentence may do. Compare with the
            shorter silences off:
              talkshop bench splits speech/coffee-dev
              talkshop bench splits --complete-sentence-silence 0 --finished-sentence-silence 0 speech/coffee-dev
            """)

    @OptionGroup var recognition: RecognitionOptions
    @OptionGroup var raw: RawAudioOptions

    @Option(help: "Noise to mix in (as for bench accuracy), or none.")
    var noise = "none"

    @Option(help: "SNR in dB of the noise.")
    var snr = 12.0

    @Argument(help: "Recordings of one command each, or directories of them.")
    var paths: [String] = ["speech/coffee-dev"]

    func run() async throws {
        let files = try AudioFiles.expand(paths)
        var speech = try files.map { try raw.load($0).decodeToRecognitionPCM() }
        if noise != "none" {
            guard let kind = NoiseKind(named: noise) else { throw ValidationError("--noise takes none, pink, babble, orders, music or brown; got '\(noise)'") }
            speech = kind.mixed(into: speech, snr: snr)
        }
        let recognizer = try recognition.makeRecognizer()
        var split: [(String, [String])] = []
        for (index, samples) in speech.enumerated() {
            let results = try await StreamRecognition.run(
                samples, recognizer: recognizer, state: recognition.state, endpointing: recognition.endpointing,
                frontEnd: recognition.frontEnd, continuous: true)
            if results.count > 1 { split.append((files[index], results.map { $0.transcript.isEmpty ? "(\($0.rejection?.rawValue ?? "?"))" : $0.transcript })) }
            Progress.report(index + 1, of: files.count, "recordings")
        }
        for (file, parts) in split {
            print("split: \(URL(fileURLWithPath: file).lastPathComponent): " + parts.map { "\"\($0)\"" }.joined(separator: " | "))
        }
        let share = files.isEmpty ? 0 : 100 * Double(split.count) / Double(files.count)
        print(String(format: "recordings heard as more than one utterance: %d of %d (%.1f%%)", split.count, files.count, share))
    }
}
