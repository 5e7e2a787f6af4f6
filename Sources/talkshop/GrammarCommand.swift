import ArgumentParser

struct GrammarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grammar",
        abstract: "Check, try, sample and export the grammars in grammars/ (format: docs/grammar.md).",
        subcommands: [
            GrammarCheckCommand.self, GrammarParseCommand.self, GrammarSampleCommand.self, GrammarExportCommand.self,
        ]
    )
}
