import Grammar
import TalkshopTesting
import Testing

/// How complete a partial sentence is decides how soon the endpointer may end it.
struct SentenceCompletenessTests {
    let interpreter: IntentInterpreter

    init() throws { interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("coffee")) }

    func completeness(_ text: String, state: DialogState = .main) throws -> SentenceCompleteness {
        try interpreter.completeness(of: IntentInterpreter.words(in: text), state: state)
    }

    @Test func wordsThatAreNotYetASentenceAreIncomplete() throws {
        for text in ["", "can i get", "can i get a large", "can i get a large latte with", "where is my", "and in other news"] {
            #expect(try completeness(text) == .incomplete, "'\(text)'")
        }
    }

    @Test func aSentenceThatMayGoOnIsComplete() throws {
        // "… with oat milk", "… please", "… and sugar" may follow.
        for text in ["can i get a large latte", "yes", "no", "can i get a latte with milk"] {
            #expect(try completeness(text) == .complete, "'\(text)'")
        }
    }

    @Test func aSentenceNothingFollowsIsFinished() throws {
        for text in ["nope", "where is my order", "that's it", "can i get a latte with milk and sugar"] {
            #expect(try completeness(text) == .finished, "'\(text)'")
        }
        // The state's own grammar decides: a drink order is not a sentence while confirming.
        #expect(try completeness("can i get a latte with milk and sugar", state: .confirmation) == .incomplete)
    }
}
