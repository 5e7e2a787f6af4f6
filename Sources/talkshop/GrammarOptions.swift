import ArgumentParser
import Foundation
import Grammar

/// Where grammars, catalogs and the pronunciation dictionary live; shared by `grammar` commands.
struct GrammarOptions: ParsableArguments {
    @Option(help: "Directory of grammar files.")
    var grammarsDirectory: String = "grammars"

    @Option(help: "Directory of shop catalogs, for lists filled from a catalog.")
    var catalogsDirectory: String = "catalogs"

    @Option(help: "PocketSphinx pronunciation dictionary (plus every .dict file in the grammar directory).")
    var dictionary: String = Lexicon.defaultDictionary.path

    var loader: GrammarLoader {
        GrammarLoader(
            directory: URL(fileURLWithPath: grammarsDirectory),
            catalogDirectory: URL(fileURLWithPath: catalogsDirectory))
    }

    func lexicon() throws -> Lexicon {
        try Lexicon.standard(
            grammarDirectory: URL(fileURLWithPath: grammarsDirectory), dictionary: URL(fileURLWithPath: dictionary))
    }
}
