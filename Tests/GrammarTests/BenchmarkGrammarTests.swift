import Foundation
import Grammar
import TalkshopTesting
import Testing

/// coffee.yaml against the Picovoice benchmark: its grammar and its labels.
struct BenchmarkGrammarTests {
    static let context = try! RhinoContext(contentsOf: TestPaths.coffeeDev.appendingPathComponent("context.yaml"))
    static let labels: [String: Label] = try! JSONDecoder().decode(
        [String: Label].self, from: Data(contentsOf: TestPaths.coffeeDev.appendingPathComponent("labels.json")))
    static let interpreter = IntentInterpreter(grammar: try! TestGrammars.loader.load("coffee"))

    struct Label: Decodable {
        var intent: String
        var slots: [String: String]
    }

    @Test func theContextHasItsEightyExpressions() {
        #expect(Self.context.expressions.count == 80)
    }

    /// Each label's sentences, rebuilt from every expression with exactly its slots, parse to it.
    @Test func everyLabelledTranscriptParsesToItsLabel() throws {
        var checked = 0
        for (file, label) in Self.labels.sorted(by: { $0.key < $1.key }) {
            let expressions = Self.context.expressions.filter { RhinoContext.slots(of: $0) == Set(label.slots.keys) }
            #expect(!expressions.isEmpty, "\(file): no expression has slots \(label.slots.keys.sorted())")
            for expression in expressions {
                for sentence in RhinoContext.sentences(of: expression, filling: label.slots) {
                    let intent = try Self.interpreter.interpret(sentence)
                    #expect(intent?.name == label.intent && intent?.slots == label.slots, "\(file): '\(sentence)' → \(String(describing: intent))")
                    checked += 1
                }
            }
        }
        #expect(checked > 1_000)
    }

    /// Every expression of the context, with random slot values, is accepted with those values.
    @Test func everyContextExpressionIsAccepted() throws {
        var generator = SeededGenerator(seed: 80)
        for expression in Self.context.expressions {
            for _ in 0..<10 {
                var values: [String: String] = [:]
                for token in expression {
                    if case .slot(let type, let name) = token {
                        values[name] = Self.context.slotValues[type]!.randomElement(using: &generator)!
                    }
                }
                for sentence in RhinoContext.sentences(of: expression, filling: values) {
                    let intent = try Self.interpreter.interpret(sentence)
                    #expect(intent?.name == "orderDrink" && intent?.slots == values, "'\(sentence)' → \(String(describing: intent))")
                }
            }
        }
    }
}
