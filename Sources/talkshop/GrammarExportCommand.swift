import ArgumentParser
import Foundation
import Grammar

struct GrammarExportCommand: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case jsgf
        case dict
    }

    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export the decoder constraint (JSGF) or the dictionary cut to the grammar's words.")

    @OptionGroup var options: GrammarOptions

    @Option(help: "Grammar name or file.")
    var grammar: String

    @Option(help: "jsgf (the PocketSphinx grammar) or dict (pronunciations of its words).")
    var format: Format = .jsgf

    @Option(help: "Dialog state to export.")
    var state: DialogState = .main

    func run() throws {
        let loaded = try options.loader.load(grammar)
        switch format {
        case .jsgf:
            print(try JSGFExporter.export(loaded, state: state), terminator: "")
        case .dict:
            print(try options.lexicon().subset(for: loaded.vocabulary().map(\.word)), terminator: "")
        }
    }
}
