import ArgumentParser
import Benchmarks
import Conversation
import Foundation
import FrontEnd
import Grammar
import Recognition

/// How to build the recogniser and endpointer; shared by `decode` and the `bench` commands.
struct RecognitionOptions: ParsableArguments {
    @OptionGroup var grammarOptions: GrammarOptions

    @Option(help: "Grammar name or file.")
    var grammar: String = "coffee"

    @Option(help: "Dialog state whose grammar is active.")
    var state: DialogState = .main

    @Option(help: "Decoders in the pool (parallel decodes).")
    var poolSize: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Reject results with a confidence below this (0–1).")
    var threshold: Double = ConfidenceScorer().threshold

    @Option(name: .customLong("decoder-option"), help: "A PocketSphinx option, e.g. -beam=1e-60 (repeatable).")
    var decoderOptions: [String] = []

    @Option(name: .customLong("verifier-option"), help: "A PocketSphinx option for the near-miss verifier's general-English search, e.g. -topn=2 (repeatable).")
    var verifierOptions: [String] = []

    @Option(help: "Silence that ends an utterance, in milliseconds.")
    var trailingSilence: Int = 700

    @Option(help: "Silence that ends an utterance once its words are a complete sentence, in milliseconds (0: off).")
    var completeSentenceSilence: Int = 0

    @Option(help: "Silence that ends an utterance once no sentence goes on from its words, in milliseconds (0: off; phone lines use 250).")
    var finishedSentenceSilence: Int = 0

    @Option(help: "Audio kept from before the detected start of speech, in milliseconds.")
    var preRoll: Int = 300

    @Option(help: "The front end's denoiser in a noisy room: rnnoise, deepfilter or off (docs/recognition.md).")
    var denoiser: DenoiserKind = AudioFrontEnd.Configuration().denoiser

    @Option(help: "Denoise once the room's noise floor is above this, in dBFS.")
    var engageAbove: Double = AudioFrontEnd.Configuration().engageAboveDecibels

    @Option(help: "Acoustic model files adapted to denoised speech, for utterances the front end denoised (scripts/adapt-model.sh); off: the base model for all.")
    var noisyRoomModel: String = NoisyRoomModel.defaultSetting

    @Flag(
        inversion: .prefixedNo,
        help: "Reject near misses: ask general English about accepted utterances that fit poorly, as the server does by default (docs/recognition.md). Here with no CPU budget: every one that asks is verified.")
    var verify = true

    var frontEnd: AudioFrontEnd.Configuration {
        var configuration = AudioFrontEnd.Configuration()
        configuration.denoiser = denoiser
        configuration.engageAboveDecibels = engageAbove
        return configuration
    }

    var endpointing: Endpointer.Configuration {
        var configuration = Endpointer.Configuration()
        configuration.trailingSilence = .milliseconds(trailingSilence)
        configuration.setSentenceSilences(completeMilliseconds: completeSentenceSilence, finishedMilliseconds: finishedSentenceSilence)
        configuration.preRoll = .milliseconds(preRoll)
        return configuration
    }

    func makeRecognizer() throws -> SpeechRecognizer {
        let grammar = try grammarOptions.loader.load(self.grammar)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(ProcessInfo.processInfo.processIdentifier)")
        var configuration = DecoderConfiguration()
        try Self.apply(decoderOptions, to: &configuration, flag: "--decoder-option")
        var verifier = DecoderConfiguration.verifier
        try Self.apply(verifierOptions, to: &verifier, flag: "--verifier-option")
        let noisyRoomModel = NoisyRoomModel.resolve(self.noisyRoomModel, denoiser: denoiser.rawValue)
        if let unused = noisyRoomModel.unused { FileHandle.standardError.write(Data("warning: \(unused)\n".utf8)) }
        var recognizer = try SpeechRecognizer.make(
            grammar: grammar, lexicon: try grammarOptions.lexicon(), workDirectory: work, poolSize: poolSize,
            configuration: configuration, noisyRoomModel: noisyRoomModel.directory,
            scorer: ConfidenceScorer(threshold: threshold), verifyNearMisses: verify, verifierConfiguration: verifier)
        // As the server: questions that change nothing are answered without verifying.
        recognizer.unverifiedIntents = Set(Command.onlyAsking.map(\.rawValue))
        return recognizer
    }

    /// `-name=value` options into a decoder configuration.
    private static func apply(_ options: [String], to configuration: inout DecoderConfiguration, flag: String) throws {
        for option in options {
            let parts = option.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].hasPrefix("-") else {
                throw ValidationError("\(flag) takes -name=value, e.g. -beam=1e-60; got '\(option)'")
            }
            configuration.extraArguments[parts[0]] = parts[1]
        }
    }
}

extension RecognitionOptions {
    /// The first utterance of each recording, streamed as a device session streams it, one
    /// recording per decoder of the pool at a time.
    func firstUtterances(of inputs: [[Int16]], recognizer: SpeechRecognizer, progressLabel: String) async throws -> [RecognitionResult] {
        let state = self.state, endpointing = self.endpointing, frontEnd = self.frontEnd
        return try await BoundedConcurrency.map(inputs.count, width: poolSize, progressLabel: progressLabel) { index in
            try await StreamRecognition.firstUtterance(
                inputs[index], recognizer: recognizer, state: state, endpointing: endpointing, frontEnd: frontEnd)
        }
    }
}

extension DenoiserKind: ExpressibleByArgument {}
