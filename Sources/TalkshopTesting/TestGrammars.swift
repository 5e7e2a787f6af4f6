import Foundation
import Grammar

/// The repository's grammars, catalogs and the standard lexicon, loaded once per test process.
public enum TestGrammars {
    public static let loader = GrammarLoader(
        directory: TestPaths.grammars, catalogDirectory: TestPaths.repository.appendingPathComponent("catalogs"))

    public static let names = ["coffee", "common", "grocery"]

    public static let lexicon: Lexicon = try! Lexicon.standard(grammarDirectory: TestPaths.grammars)
}
