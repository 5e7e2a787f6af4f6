import ArgumentParser
import Foundation
import Grammar

struct GrammarParseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parse",
        abstract: "Interpret a sentence and print the intent as JSON.",
        discussion: """
            Example: talkshop grammar parse --grammar coffee "can i get a large latte with soy milk"
            Exits with status 1 and prints {"match": null} when no sentence of the grammar matches.
            """)

    @OptionGroup var options: GrammarOptions

    @Option(help: "Grammar name or file.")
    var grammar: String

    @Option(help: "Dialog state whose intents are active.")
    var state: DialogState = .main

    @Argument(help: "The sentence, as words.")
    var sentence: [String]

    func run() throws {
        let interpreter = IntentInterpreter(grammar: try options.loader.load(grammar))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let intent = try interpreter.interpret(sentence.joined(separator: " "), state: state) else {
            print(#"{"match": null}"#)
            throw ExitCode(1)
        }
        print(String(decoding: try encoder.encode(intent), as: UTF8.self))
    }
}
