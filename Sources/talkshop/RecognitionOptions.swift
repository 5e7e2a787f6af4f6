import ArgumentParser
import Foundation
import Grammar
import Recognition

/// How to build the recogniser and endpointer; shared by `decode` and the `bench` commands.
struct RecognitionOptions: ParsableArguments {
    @OptionGroup var grammarOptions: GrammarOptions

    @Option(help: "Grammar name or file.")
    var grammar: String = "coffee"

    @Option(help: "Dialog state whose grammar is active.")
    var state: String = IntentGrammar.defaultState

    @Option(help: "Decoders in the pool (parallel decodes).")
    var poolSize: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Reject results with a confidence below this (0–1).")
    var threshold: Double = ConfidenceScorer().threshold

    @Option(help: "Silence that ends an utterance, in milliseconds.")
    var trailingSilence: Int = 700

    @Option(help: "Audio kept from before the detected start of speech, in milliseconds.")
    var preRoll: Int = 300

    var endpointing: Endpointer.Configuration {
        var configuration = Endpointer.Configuration()
        configuration.trailingSilence = .milliseconds(trailingSilence)
        configuration.preRoll = .milliseconds(preRoll)
        return configuration
    }

    func makeRecognizer() throws -> SpeechRecognizer {
        let grammar = try grammarOptions.loader.load(self.grammar)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(ProcessInfo.processInfo.processIdentifier)")
        return try SpeechRecognizer.make(
            grammar: grammar, lexicon: try grammarOptions.lexicon(), workDirectory: work, poolSize: poolSize,
            scorer: ConfidenceScorer(threshold: threshold))
    }
}
