import ArgumentParser
import Foundation
import Grammar

struct GrammarSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Print random sentences the grammar accepts, with their intent and slots.")

    @OptionGroup var options: GrammarOptions

    @Option(help: "Grammar name or file.")
    var grammar: String

    @Option(help: "Dialog state whose intents are sampled.")
    var state: DialogState = .main

    @Option(name: .customShort("n"), help: "How many sentences.")
    var count: Int = 10

    @Option(help: "Random seed, for a reproducible list.")
    var seed: UInt64?

    func run() throws {
        let sampler = SentenceSampler(grammar: try options.loader.load(grammar))
        var generator = SeededGenerator(seed: seed ?? UInt64.random(in: 0...UInt64.max))
        for _ in 0..<max(0, count) {
            let sample = try sampler.sample(state: state, using: &generator)
            let slots = sample.intent.slots.keys.sorted().map { "\($0)=\(sample.intent.slots[$0]!)" }
            print("\(sample.text)\t\(sample.intent.name)\(slots.isEmpty ? "" : " " + slots.joined(separator: " "))")
        }
    }
}
