import Grammar
import TalkshopTesting
import Testing

/// Sampled sentences parse back to the intent and slots they were generated with.
struct RoundTripTests {
    static let cases: [(String, DialogState)] = ["coffee", "grocery"].flatMap { grammar in
        DialogState.allCases.map { (grammar, $0) }
    }

    @Test(arguments: cases)
    func sampleParseRoundTrip(grammarName: String, state: DialogState) throws {
        let grammar = try TestGrammars.loader.load(grammarName)
        let sampler = SentenceSampler(grammar: grammar)
        let interpreter = IntentInterpreter(grammar: grammar)
        var generator = SeededGenerator(seed: 2026)
        for _ in 0..<1_500 {
            let sample = try sampler.sample(state: state, using: &generator)
            let parsed = try interpreter.interpret(sample.text, state: state)
            #expect(parsed == sample.intent, "'\(sample.text)'")
        }
    }

    @Test func threeGrammarsCheckCleanAgainstTheDictionary() throws {
        for name in TestGrammars.names {
            let grammar = try TestGrammars.loader.load(name)
            let unknown = TestGrammars.lexicon.unknownWords(in: grammar)
            #expect(unknown.isEmpty, "\(name): \(unknown)")
        }
    }

    @Test func outOfGrammarSpeechDoesNotMatch() throws {
        let interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("coffee"))
        for sentence in [
            "and in other news the weather will be cloudy tomorrow", "large large", "can i get a",
            "a large latte latte", "yes yes", "", "cancel my",
        ] {
            #expect(try interpreter.interpret(sentence) == nil, "'\(sentence)'")
        }
        // A size alone answers "What size would you like?"; with nothing asked it adds nothing.
        #expect(try interpreter.interpret("large")?.name == "chooseOption")
    }

    /// Typed text is matched as a person reads it: invisible characters do not split or hide
    /// a word, and one word typed two ways (composed or not) is one word.
    @Test func typedTextIsMatchedAsItReads() throws {
        #expect(IntentInterpreter.words(in: "y\u{200B}es") == ["yes"])
        #expect(IntentInterpreter.words(in: "ye\u{0}s\u{202E}") == ["yes"])
        #expect(IntentInterpreter.words(in: "\u{FEFF}yes\tplease\nnow") == ["yes", "please", "now"])
        #expect(IntentInterpreter.words(in: "cafe\u{301} latte") == IntentInterpreter.words(in: "caf\u{E9} latte"))
        let interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("coffee"))
        #expect(try interpreter.interpret("y\u{200B}es", state: .confirmation)?.name == "yes")
    }

    @Test func statesSelectTheirIntents() throws {
        let interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("coffee"))
        #expect(try interpreter.interpret("a large latte", state: .confirmation) == nil)
        #expect(try interpreter.interpret("yes please", state: .confirmation)?.name == "yes")
        #expect(try interpreter.interpret("change my order", state: .main) == nil)
        let pin = try interpreter.interpret("my pin is one two oh nine", state: .pin)
        #expect(pin?.slots == ["digit1": "1", "digit2": "2", "digit3": "0", "digit4": "9"])
    }

    @Test func catalogListsAndNumberWords() throws {
        let interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("grocery"))
        #expect(try interpreter.interpret("i need a dozen eggs")?.slots == ["quantity": "12", "product": "eggs"])
        #expect(try interpreter.interpret("add three liters of oat milk")?.slots == ["quantity": "3", "unit": "liter", "product": "oat-milk"])
        #expect(try interpreter.interpret("give me two loaves of sourdough bread")?.slots == ["quantity": "2", "unit": "loaf", "product": "bread"])
        #expect(try interpreter.interpret("three apples please")?.slots == ["quantity": "3", "product": "apple"])
    }

    /// Sentences nobody says are not in the grammar, so near-miss speech cannot land on them:
    /// a number agrees with its unit, a unit takes a number and "of", and only what the
    /// catalog sells by the piece is counted without a unit (the list's `unit: piece` filter).
    @Test(arguments: [
        "can i have an pints tomato", "i want eighteen loaf of coffee", "i'd like liter coffee",
        "can i get a bottles coffee", "add nine kilograms potato to my cart", "can i get three coffee", "a pint milk",
    ])
    func numbersAgreeWithUnitsAndProducts(sentence: String) throws {
        let interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("grocery"))
        #expect(try interpreter.interpret(sentence) == nil)
    }

    /// A unit goes only with the products the catalog sells in it (`units:`, and the list's
    /// `soldIn: unit`).
    @Test func unitsGoOnlyWithWhatIsSoldInThem() throws {
        let interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("grocery"))
        #expect(try interpreter.interpret("get me a kilo of apples")?.slots == ["quantity": "1", "unit": "kg", "product": "apple"])
        #expect(try interpreter.interpret("can i have a pint of milk")?.slots == ["quantity": "1", "unit": "pint", "product": "milk"])
        #expect(try interpreter.interpret("two cartons of orange juice")?.slots == ["quantity": "2", "unit": "carton", "product": "orange-juice"])
        for sentence in ["can i have a pint of tomato", "i'd like a liter of coffee", "eleven kilos of whole milk", "six loaves of oat milk"] {
            #expect(try interpreter.interpret(sentence) == nil, "\(sentence)")
        }
    }

    @Test func ambiguityIsResolvedInDocumentedOrder() throws {
        // "remove the apples" fits grocery's removeProduct and nothing in common; "remove it"
        // fits only common's removeItem; the shop's own intents are tried first.
        let interpreter = IntentInterpreter(grammar: try TestGrammars.loader.load("grocery"))
        #expect(try interpreter.interpret("remove the apples")?.name == "removeProduct")
        #expect(try interpreter.interpret("remove it")?.name == "removeItem")
    }
}
