import ArgumentParser
import AudioCodec
import Benchmarks
import Foundation
import Recognition

struct BenchAccuracyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accuracy",
        abstract: "Command acceptance rate on labelled recordings, clean or with noise mixed in.",
        discussion: """
            Streams every recording in 20 ms chunks through the front end, endpointer and
            recogniser the server uses and scores it as the Picovoice benchmark does: the intent
            and every labelled slot value must be exactly right. Noise is mixed with that
            benchmark's method (ratio of the loudest 2048-sample frame energies); several kinds
            and SNRs give a table with a row for each.
              talkshop bench accuracy --grammar coffee --labels speech/coffee-dev/labels.json speech/coffee-dev
              talkshop bench accuracy --labels speech/coffee-dev/labels.json --noise pink --snr 24,18,12,9,6 --plot snr.svg speech/coffee-dev
              talkshop bench accuracy --labels speech/coffee-dev/labels.json --noise pink,babble,music,brown --snr 12,6 speech/coffee-dev
            """)

    @OptionGroup var recognition: RecognitionOptions
    @OptionGroup var raw: RawAudioOptions

    @Option(help: "labels.json: {file: {intent, slots}}.")
    var labels: String

    @Option(help: "Noise to mix in, comma-separated: pink, babble (six other speakers, reversed: talk without words), orders (three other customers ordering at once), music, brown (a tap, a fan), or an audio file.")
    var noise: String?

    @Option(help: "Comma-separated SNRs in dB (with --noise).")
    var snr: String = "24,18,12,9,6"

    @Option(help: "Write an SVG chart of accuracy against SNR.")
    var plot: String?

    @Option(help: "Write every result with its evidence (per-word fits) as JSON lines to this file, for tuning rejection.")
    var evidence: String?

    @Option(help: "Only the recordings of this part of the set, K/N (cross-validation: test a model made by `scripts/adapt-model.sh --fold K/N` on the part it left out).")
    var fold: String?

    @Argument(help: "Directory (or files) of the labelled recordings.")
    var paths: [String]

    func run() async throws {
        let part = try fold.map(Fold.parse)
        let (files, labelled) = try AudioFiles.labelled(labels, paths: paths) { part?.contains($0) != false }
        guard !files.isEmpty else { throw ValidationError("none of the files has a label in \(labels)") }
        let recognizer = try recognition.makeRecognizer()
        try await recognizer.warmUp()
        let speech = try files.map { try raw.load($0).decodeToRecognitionPCM() }

        let snrs = try SNRList.parse(snr)
        let conditions: [(kind: NoiseKind, snr: Double)?] = try noise == nil ? [nil] : raw.noiseKinds(noise ?? "").flatMap { kind in snrs.map { (kind, $0) } }
        var rows: [(label: String, noise: String?, snr: Double?, correct: Int)] = []
        var evidenceLines: [EvidenceLine] = []
        for condition in conditions {
            let name = condition.map { "\($0.kind) \(format($0.snr)) dB" } ?? "clean"
            let inputs = condition.map { $0.kind.mixed(into: speech, snr: $0.snr) } ?? speech
            let results = try await recognition.firstUtterances(of: inputs, recognizer: recognizer, progressLabel: name)
            var correct = 0
            var misses: [String] = []
            for (index, result) in results.enumerated() {
                let file = URL(fileURLWithPath: files[index]).lastPathComponent
                let label = labelled[file]!
                let isCorrect = AccuracyScore.isCorrect(result, label: label)
                evidenceLines.append(EvidenceLine(condition: name, file: file, correct: isCorrect, result: result))
                if isCorrect {
                    correct += 1
                } else {
                    let heard = result.rejection.map { "rejected (\($0.rawValue))" } ?? (result.intent.map { "\($0.name) \(slots($0.slots))" } ?? "nothing")
                    misses.append("  \(file): expected \(label.intent) \(slots(label.slots)); heard \"\(result.transcript)\" → \(heard)")
                }
            }
            rows.append((name, condition.map { "\($0.kind)" }, condition?.snr, correct))
            print("\(name): \(percent(correct, files.count)) (\(correct)/\(files.count))")
            if !misses.isEmpty { print("misrecognised:\n" + misses.joined(separator: "\n")) }
        }

        print("\n| condition | accepted | rate |\n|---|---|---|")
        for row in rows { print("| \(row.label) | \(row.correct)/\(files.count) | \(percent(row.correct, files.count)) |") }
        if let plot {
            // The chart follows the first noise kind across the SNRs.
            let first = rows.first { $0.noise != nil }?.noise
            let points = rows.filter { $0.noise == first }.map {
                SVGPlot.Point(label: $0.snr.map(format) ?? "clean", snr: $0.snr, accuracy: 100 * Double($0.correct) / Double(files.count))
            }
            try SVGPlot.accuracyChart(points, title: "Command acceptance, \(recognition.grammar), \(first ?? "clean")")
                .write(toFile: plot, atomically: true, encoding: .utf8)
            print("plot: \(plot)")
        }
        if let evidence { try EvidenceLine.write(evidenceLines, to: evidence) }
        let total = rows.reduce(0) { $0 + $1.correct }
        let suffix = rows.count > 1 ? ", average over \(rows.count) conditions" : ""
        print("command acceptance rate: \(percent(total, files.count * rows.count)) (\(total)/\(files.count * rows.count)\(suffix))")
    }

    private func slots(_ slots: [String: String]) -> String {
        "{" + slots.keys.sorted().map { "\($0): \(slots[$0]!)" }.joined(separator: ", ") + "}"
    }

    private func percent(_ part: Int, _ whole: Int) -> String {
        String(format: "%.1f%%", 100 * Double(part) / Double(max(1, whole)))
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

