import ArgumentParser
import AudioCodec
import Foundation
import Benchmarks
import Recognition

struct DecodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Recognise audio files: one JSON line per file with transcript, intent, slots and confidence, or the rejection.",
        discussion: """
            Each file is streamed in 20 ms chunks through the same endpointer and recogniser the
            server uses. Formats as for `talkshop audio` (Ogg Opus, WAV, raw μ-law/L16 with --rate).
            Example: talkshop decode --grammar coffee speech/coffee-dev/*.opus
            """)

    @OptionGroup var recognition: RecognitionOptions
    @OptionGroup var raw: RawAudioOptions

    @Argument(help: "Audio files.")
    var files: [String]

    func run() async throws {
        let recognizer = try recognition.makeRecognizer()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for path in files {
            let samples = try raw.load(path).decodeToRecognitionPCM()
            let result = try await StreamRecognition.firstUtterance(
                samples, recognizer: recognizer, state: recognition.state, endpointing: recognition.endpointing, frontEnd: recognition.frontEnd)
            let line = DecodeLine(file: path, result: result)
            print(String(decoding: try encoder.encode(line), as: UTF8.self))
        }
    }
}

/// One output line of `talkshop decode`.
struct DecodeLine: Encodable {
    var file: String
    var transcript: String
    var intent: String?
    var slots: [String: String]?
    var confidence: Double
    var rejected: String?
    var evidence: ConfidenceScorer.Evidence?

    init(file: String, result: RecognitionResult) {
        self.file = file
        transcript = result.transcript
        intent = result.intent?.name
        slots = result.intent?.slots
        confidence = Self.round(result.confidence, 1_000)
        rejected = result.rejection?.rawValue
        // Every figure, rounded for reading (the denoiser's and the verifier's too).
        evidence = result.evidence.map { evidence in
            var rounded = evidence
            rounded.unexplainedSpeech = Self.round(evidence.unexplainedSpeech, 1_000)
            rounded.acousticScorePerFrame = Self.round(evidence.acousticScorePerFrame, 10)
            rounded.wordsPerSecond = Self.round(evidence.wordsPerSecond, 100)
            rounded.outOfGrammar = evidence.outOfGrammar.map { Self.round($0, 10) }
            rounded.retainedDecibels = evidence.retainedDecibels.map { Self.round($0, 10) }
            for index in rounded.words.indices {
                rounded.words[index].acousticScorePerFrame = Self.round(evidence.words[index].acousticScorePerFrame, 10)
            }
            return rounded
        }
    }

    private static func round(_ value: Double, _ scale: Double) -> Double {
        (value * scale).rounded() / scale
    }
}
