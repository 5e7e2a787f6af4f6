import ArgumentParser
import AudioCodec
import Benchmarks
import Foundation
import FrontEnd
import Grammar
import Recognition

/// Writes the corpus `scripts/adapt-model.sh` adapts the acoustic model on: recordings with
/// noise mixed in and passed through the front end the server uses, as 16 kHz WAV files, with
/// the word transcripts and dictionary sphinxtrain's `bw` reads.
struct AudioAdaptationSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adaptation-set",
        abstract: "Write noisy, front-end-processed speech with transcripts for acoustic model adaptation.",
        discussion: """
            Labelled recordings are transcribed by decoding them clean with the grammar; only
            those whose intent and slots match their label are kept (the words are then the ones
            said). Each is written once per noise condition, mixed as `bench accuracy` mixes
            and denoised by the front end. With --fold K/N, part K is left out, so the adapted
            model can be tested on it (`bench accuracy --fold K/N`).
            Synthesised speech with known words comes in with --sentences (TSV: file, words).
              talkshop audio adaptation-set --labels speech/coffee-dev/labels.json --fold 1/2 \\
                --noise pink,brown --snr 15,9,6 --output var/adapt/fold1 speech/coffee-dev
            Output: DIR/wav/*.wav, DIR/adapt.fileids, DIR/adapt.transcription, DIR/adapt.dic.
            """)

    @OptionGroup var recognition: RecognitionOptions
    @OptionGroup var raw: RawAudioOptions

    @Option(help: "labels.json of the recordings: {file: {intent, slots}}.")
    var labels: String?

    @Option(help: "Leave out this part of the labelled recordings, K/N (it is the test part).")
    var fold: String?

    @Option(help: "Synthesised speech with known words: a TSV file of audio file and words per line.")
    var sentences: String?

    @Option(help: "Noise to mix in, comma-separated (as bench accuracy); none: clean only.")
    var noise: String?

    @Option(help: "Comma-separated SNRs in dB (with --noise).")
    var snr: String = "15,9,6"

    @Flag(help: "Also write each recording clean.")
    var clean = false

    @Option(help: "Directory to write.")
    var output: String

    @Argument(help: "Directory (or files) of the labelled recordings.")
    var paths: [String] = []

    func run() async throws {
        var corpus = try await labelledSpeech() + synthesisedSpeech()
        guard !corpus.isEmpty else { throw ValidationError("nothing to write: give labelled recordings (--labels and paths) or --sentences") }
        corpus.sort { $0.id < $1.id }
        let conditions: [(name: String, kind: NoiseKind?, snr: Double)] =
            (clean || noise == nil ? [("clean", nil, 0)] : [])
            + (try raw.noiseKinds(noise ?? "").flatMap { kind in try SNRList.parse(snr).map { ("\(kind)\(Int($0))", kind, $0) } })

        let directory = URL(fileURLWithPath: output)
        let wavDirectory = directory.appendingPathComponent("wav")
        try FileManager.default.createDirectory(at: wavDirectory, withIntermediateDirectories: true)
        var fileIDs: [String] = [], transcription: [String] = []
        for condition in conditions {
            let speech = corpus.map(\.samples)
            let inputs = condition.kind.map { $0.mixed(into: speech, snr: condition.snr) } ?? speech
            let ids = corpus.map { "\($0.id)-\(condition.name)" }
            try await writeThroughFrontEnd(inputs, as: ids, to: wavDirectory, progressLabel: condition.name)
            fileIDs += ids
            transcription += corpus.indices.map { "<s> \(corpus[$0].words.joined(separator: " ")) </s> (\(ids[$0]))" }
        }
        try (fileIDs.joined(separator: "\n") + "\n").write(to: directory.appendingPathComponent("adapt.fileids"), atomically: true, encoding: .utf8)
        try (transcription.joined(separator: "\n") + "\n")
            .write(to: directory.appendingPathComponent("adapt.transcription"), atomically: true, encoding: .utf8)
        let words = Set(corpus.flatMap(\.words))
        try recognition.grammarOptions.lexicon().subset(for: Array(words))
            .write(to: directory.appendingPathComponent("adapt.dic"), atomically: true, encoding: .utf8)
        print("\(corpus.count) recordings × \(conditions.count) conditions (\(conditions.map(\.name).joined(separator: ", "))) → \(fileIDs.count) files in \(output)")
    }

    private struct Recording {
        var id: String
        var samples: [Int16]
        var words: [String]
    }

    /// The labelled recordings outside the test fold whose clean decode matches the label.
    private func labelledSpeech() async throws -> [Recording] {
        guard !paths.isEmpty else { return [] }
        guard let labels else { throw ValidationError("recordings need --labels, to keep only those transcribed right") }
        let leftOut = try fold.map(Fold.parse)
        let (files, labelled) = try AudioFiles.labelled(labels, paths: paths) { leftOut?.contains($0) != true }
        let recognizer = try recognition.makeRecognizer()
        let speech = try files.map { try raw.load($0).decodeToRecognitionPCM() }
        let results = try await recognition.firstUtterances(of: speech, recognizer: recognizer, progressLabel: "transcribing")
        var kept: [Recording] = []
        for (index, result) in results.enumerated() {
            let name = URL(fileURLWithPath: files[index]).lastPathComponent
            if AccuracyScore.isCorrect(result, label: labelled[name]!) {
                kept.append(Recording(id: URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent, samples: speech[index],
                                      words: result.transcript.split(separator: " ").map(String.init)))
            }
        }
        FileHandle.standardError.write(Data("kept \(kept.count) of \(files.count) recordings (clean decode matches the label)\n".utf8))
        return kept
    }

    private func synthesisedSpeech() throws -> [Recording] {
        guard let sentences else { return [] }
        let lines = try String(contentsOfFile: sentences, encoding: .utf8).split(separator: "\n")
        return try lines.map { line in
            let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
            guard fields.count == 2 else { throw ValidationError("\(sentences): each line is an audio file, a tab and its words; got '\(line)'") }
            return Recording(id: URL(fileURLWithPath: fields[0]).deletingPathExtension().lastPathComponent,
                             samples: try raw.load(fields[0]).decodeToRecognitionPCM(),
                             words: fields[1].lowercased().split(separator: " ").map(String.init))
        }
    }

    /// Writes what the decoder hears of each input as DIRECTORY/ID.wav, one per core at a time.
    private func writeThroughFrontEnd(_ inputs: [[Int16]], as ids: [String], to directory: URL, progressLabel: String) async throws {
        let configuration = recognition.frontEnd
        _ = try await BoundedConcurrency.map(inputs.count, width: ProcessInfo.processInfo.activeProcessorCount, progressLabel: progressLabel) { index in
            let heard = try await AudioFrontEnd(configuration: configuration).processWhole(inputs[index])
            try Data(WAVFile.pcm16(samples: heard, sampleRate: 16_000)).write(to: directory.appendingPathComponent("\(ids[index]).wav"))
        }
    }
}
