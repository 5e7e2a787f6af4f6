import ArgumentParser
import Foundation
import Grammar

struct GrammarCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check grammars: syntax, references, permutation sizes, and every word against the dictionary.",
        discussion: "Errors are printed as file:line:column: error: … and the exit status is non-zero.")

    @OptionGroup var options: GrammarOptions

    @Argument(help: "Grammar names or files (default: every .yaml in the grammar directory).")
    var grammars: [String] = []

    func run() throws {
        let names = try grammars.isEmpty ? allGrammars() : grammars
        let clock = ContinuousClock()
        let lexiconStart = clock.now
        let lexicon = try options.lexicon()
        print("dictionary loaded in \(milliseconds(clock.now - lexiconStart)) ms")
        var failures = 0
        for name in names {
            let start = clock.now
            do {
                let grammar = try options.loader.load(name)
                let unknown = lexicon.unknownWords(in: grammar)
                for error in unknown { printError(error) }
                failures += unknown.isEmpty ? 0 : 1
                for state in grammar.states.sorted() { _ = try JSGFExporter.export(grammar, state: state) }
                let sampler = SentenceSampler(grammar: grammar)
                let counts = try grammar.states.sorted().map { state in
                    "\(state) \(formatCount(try sampler.derivationCount(state: state)))"
                }
                print("\(name): \(unknown.isEmpty ? "ok" : "\(unknown.count) unknown words"); "
                    + "\(grammar.intents.count) intents, \(grammar.vocabulary().count) words; "
                    + "sentences by state: \(counts.joined(separator: ", ")); "
                    + "compiled in \(milliseconds(clock.now - start)) ms")
            } catch let error as GrammarError {
                printError(error)
                failures += 1
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func allGrammars() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: options.grammarsDirectory)
            .filter { $0.hasSuffix(".yaml") }.sorted().map { ($0 as NSString).deletingPathExtension }
    }

    private func printError(_ error: GrammarError) {
        FileHandle.standardError.write(Data("\(error)\n".utf8))
    }

    private func milliseconds(_ duration: Duration) -> String {
        String(format: "%.1f", duration.seconds * 1_000)
    }

    private func formatCount(_ count: Double) -> String {
        count < 1e6 ? String(Int(count)) : String(format: "%.2e", count)
    }
}
