import Foundation
import Grammar
import TalkshopTesting
import Testing

/// Broken grammars each give their error, positioned at the culprit.
struct BrokenGrammarTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var yaml: String
        var expected: GrammarError
        var line: Int
        var column: Int
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown word", yaml: """
            intents:
              order:
                sentences:
                  - "i want a frappuccinox"
            """, expected: .unknownWord, line: 4, column: 19),
        Case(name: "undefined rule", yaml: """
            intents:
              order:
                sentences:
                  - "<please> coffee"
            """, expected: .undefinedRule, line: 4, column: 10),
        Case(name: "undefined list", yaml: """
            intents:
              order:
                sentences: ["a {drink}"]
            """, expected: .undefinedList, line: 3, column: 20),
        Case(name: "unbalanced bracket", yaml: """
            intents:
              order:
                sentences:
                  - "a (large|small coffee"
            """, expected: .unbalancedBracket, line: 4, column: 12),
        Case(name: "stray closing bracket", yaml: """
            intents:
              order:
                sentences:
                  - "a large] coffee"
            """, expected: .unbalancedBracket, line: 4, column: 17),
        Case(name: "duplicate intent", yaml: """
            intents:
              order:
                sentences: ["coffee"]
              order:
                sentences: ["tea"]
            """, expected: .duplicateKey, line: 4, column: 3),
        Case(name: "empty alternative", yaml: """
            intents:
              order:
                sentences:
                  - "a (large||small) coffee"
            """, expected: .emptyAlternative, line: 4, column: 19),
        Case(name: "runaway permutation", yaml: """
            intents:
              order:
                sentences:
                  - "(a; b; c; d; e; f; g)"
            """, expected: .runawayPermutation, line: 4, column: 10),
        Case(name: "recursive rule", yaml: """
            intents:
              order:
                sentences: ["<loop>"]
            expansion_rules:
              loop: "coffee [<loop>]"
            """, expected: .recursiveRule, line: 5, column: 18),
        Case(name: "misspelt dialog state", yaml: """
            intents:
              order:
                states: [main, confirmaton]
                sentences: ["coffee"]
            """, expected: .unknownState, line: 3, column: 20),
        Case(name: "unknown key", yaml: """
            intents:
              order:
                sentence: ["coffee"]
            """, expected: .invalidStructure, line: 3, column: 5),
        Case(name: "soldIn without a catalog", yaml: """
            intents:
              order:
                sentences: ["a {unit:unit} of {drink}"]
            lists:
              unit:
                values: [{in: liter, out: liter}]
              drink:
                values: [milk]
                soldIn: unit
            """, expected: .invalidStructure, line: 7, column: 3),
    ]

    /// A list sold in a unit needs that unit said before it in the same sentence.
    @Test func aListSoldInAUnitNeedsTheUnitBeforeIt() throws {
        let files = [
            "shop": """
                intents:
                  order:
                    sentences: ["a {drink} please"]
                lists:
                  drink:
                    catalog: drinks
                    soldIn: unit
                """,
        ]
        let catalogs = ["drinks": "products:\n  - {id: milk, name: milk, unit: liter}\n"]
        try Self.withGrammars(files) { directory in
            try Self.withGrammars(catalogs) { catalogDirectory in
                #expect(throws: GrammarError.invalidStructure) {
                    try GrammarLoader(directory: directory, catalogDirectory: catalogDirectory).load("shop")
                }
            }
        }
    }

    /// A temporary grammar directory holding `files` (name → YAML), removed after `body`.
    @discardableResult
    static func withGrammars<T>(_ files: [String: String], _ body: (URL) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-grammar-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, yaml) in files {
            try yaml.write(to: directory.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        return try body(directory)
    }

    @Test(arguments: cases)
    func brokenGrammarGivesItsPositionedError(_ testCase: Case) throws {
        let error: GrammarError
        do {
            let grammar = try Self.withGrammars(["broken": testCase.yaml]) { try GrammarLoader(directory: $0).load("broken") }
            error = try #require(TestGrammars.lexicon.unknownWords(in: grammar).first, "no error for \(testCase.name)")
        } catch let caught as GrammarError {
            error = caught
        }
        #expect(error == testCase.expected, "\(error)")
        #expect(error.location?.line == testCase.line && error.location?.column == testCase.column, "\(error)")
        #expect(error.location?.file.hasSuffix("broken.yaml") == true)
    }

    @Test func duplicateIntentAcrossIncludes() throws {
        let files = [
            "base": "intents:\n  yes:\n    sentences: [yes]\n",
            "shop": "include: [base]\nintents:\n  yes:\n    sentences: [yeah]\n",
        ]
        try Self.withGrammars(files) { directory in
            #expect(throws: GrammarError.duplicateIntent) { try GrammarLoader(directory: directory).load("shop") }
        }
    }

    /// A state no intent of the grammar is active in has nothing to listen for: a typed error.
    @Test func aStateWithoutIntentsIsATypedError() throws {
        let grammar = try Self.withGrammars(["shop": "intents:\n  order:\n    sentences: [coffee]\n"]) {
            try GrammarLoader(directory: $0).load("shop")
        }
        let interpreter = IntentInterpreter(grammar: grammar)
        #expect(try interpreter.interpret("coffee", state: .main)?.name == "order")
        #expect(throws: GrammarError.unknownState) { try interpreter.interpret("coffee", state: .pin) }
    }
}
