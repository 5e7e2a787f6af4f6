import AudioCodec
import Foundation
import Grammar
import Recognition
import TalkshopTesting
import Testing

/// The exported JSGF loads into the real PocketSphinx and constrains what it hears.
struct GrammarInPocketSphinxTests {
    /// A decoder with the dictionary cut to the grammar's words, every state's grammar loaded.
    static func decoder(for grammar: IntentGrammar) throws -> SpeechDecoder {
        let dictionary = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).dict")
        try TestGrammars.lexicon.subset(for: grammar.vocabulary().map(\.word)).write(to: dictionary, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dictionary) }
        let decoder = try SpeechDecoder(configuration: DecoderConfiguration(dictionary: dictionary))
        for state in grammar.states {
            try decoder.addGrammar(name: state.rawValue, jsgf: JSGFExporter.export(grammar, state: state))
        }
        return decoder
    }

    @Test(arguments: TestGrammars.names)
    func everyStateLoads(name: String) throws {
        let grammar = try TestGrammars.loader.load(name)
        let decoder = try Self.decoder(for: grammar)
        #expect(decoder.grammars == Set(grammar.states.map(\.rawValue)))
    }

    @Test func aWordOutsideTheDictionaryIsRejectedByPocketSphinx() throws {
        let decoder = try SpeechDecoder()
        #expect(throws: RecognitionError.grammar) {
            try decoder.addGrammar(name: "bad", jsgf: "#JSGF V1.0;\ngrammar bad;\npublic <x> = zzyzxq;\n")
        }
    }

    @Test func aRealRecordingDecodesToItsLabel() throws {
        let grammar = try TestGrammars.loader.load("coffee")
        let decoder = try Self.decoder(for: grammar)
        try decoder.activate("main")
        let name = "038439fc-2a04-4ed3-9caa-cf2a5a086aef.opus"
        let audio = try AudioFile(bytes: TestPaths.readBytes(TestPaths.coffeeDev.appendingPathComponent(name)), format: .oggOpus)
        let hypothesis = try #require(try decoder.decode(utterance: audio.decodeToRecognitionPCM()))
        let intent = try IntentInterpreter(grammar: grammar).interpret(words: hypothesis.words)
        #expect(intent?.slots == [
            "coffeeDrink": "iced coffee", "milkAmount": "some milk", "numberOfShots": "double shot",
            "roast": "dark roast", "sugarAmount": "a bit of brown sugar",
        ], "\(hypothesis.words)")
    }

    @Test func switchingGrammarConstrainsTheSearch() throws {
        let grammar = try TestGrammars.loader.load("coffee")
        let decoder = try Self.decoder(for: grammar)
        let yes = try AudioFile(bytes: TestPaths.readBytes(TestPaths.audioFixtures.appendingPathComponent("yes.opus")), format: .oggOpus)
            .decodeToRecognitionPCM()
        try decoder.activate("confirmation")
        let heard = try decoder.decode(utterance: yes)
        #expect(heard?.words == ["yes"])
        try decoder.activate("pin")
        let asPin = try decoder.decode(utterance: yes)
        #expect(asPin?.words != ["yes"], "the pin grammar has no 'yes'")
    }
}
