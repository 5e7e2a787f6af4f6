import ArgumentParser
import Benchmarks
import Foundation
import Recognition

struct BenchFalseAcceptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "false-accepts",
        abstract: "Run audio that holds no command and count accepted intents per hour.",
        discussion: """
            Each file is one continuous stream, listened to like an always-on device: after each
            utterance the endpointer re-arms. Every accepted intent is a false accept.
            Make the audio with audio-fixtures/negative/generate.sh, then:
              talkshop bench false-accepts --grammar coffee audio-fixtures/negative/generated
            """)

    @OptionGroup var recognition: RecognitionOptions
    @OptionGroup var raw: RawAudioOptions

    @Flag(help: "Print the decoder diagnostics of each false accept.")
    var verbose = false

    @Option(help: "Write every utterance with its evidence as JSON lines to this file, for tuning rejection.")
    var evidence: String?

    @Argument(help: "Files or directories of non-command audio.")
    var paths: [String]

    func run() async throws {
        let files = try AudioFiles.expand(paths)
        let recognizer = try recognition.makeRecognizer()
        var seconds = 0.0, utterances = 0, accepted: [(String, RecognitionResult)] = []
        var rejections: [Rejection: Int] = [:], evidenceLines: [EvidenceLine] = []
        for (index, path) in files.enumerated() {
            let samples = try raw.load(path).decodeToRecognitionPCM()
            seconds += Double(samples.count) / 16_000
            let results = try await StreamRecognition.run(
                samples, recognizer: recognizer, state: recognition.state, endpointing: recognition.endpointing,
                frontEnd: recognition.frontEnd, continuous: true)
            utterances += results.count
            for result in results {
                if result.isAccepted { accepted.append((path, result)) }
                evidenceLines.append(EvidenceLine(condition: "non-command", file: URL(fileURLWithPath: path).lastPathComponent, correct: false, result: result))
                if let rejection = result.rejection { rejections[rejection, default: 0] += 1 }
            }
            Progress.report(index + 1, of: files.count, "files")
        }
        print("audio: \(String(format: "%.1f", seconds / 60)) minutes in \(files.count) files, \(utterances) utterances")
        print("rejected: " + rejections.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue) \(rejections[$0]!)" }.joined(separator: ", "))
        for (path, result) in accepted {
            print("false accept: \(URL(fileURLWithPath: path).lastPathComponent): \"\(result.transcript)\" → \(result.intent!.name) (confidence \(String(format: "%.2f", result.confidence)), \(String(format: "%.1f", result.audioSeconds)) s)")
            if verbose {
                let evidence = result.evidence
                print(String(
                    format: "  unexplainedSpeech=%.3f acousticScorePerFrame=%.1f wordsPerSecond=%.2f outOfGrammar=%.1f",
                    evidence?.unexplainedSpeech ?? 0, evidence?.acousticScorePerFrame ?? 0, evidence?.wordsPerSecond ?? 0,
                    evidence?.outOfGrammar ?? .nan))
                for word in evidence?.words ?? [] { print(String(format: "    %@ %d frames %.1f", word.word, word.frames, word.acousticScorePerFrame)) }
            }
        }
        if let evidence { try EvidenceLine.write(evidenceLines, to: evidence) }
        print(String(format: "false accepts: %d in %.2f h = %.2f per hour", accepted.count, seconds / 3_600, Double(accepted.count) / (seconds / 3_600)))
    }
}
