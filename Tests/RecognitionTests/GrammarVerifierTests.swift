import Foundation
import Grammar
import Recognition
import TalkshopTesting
import Testing

/// The near-miss check: does general English explain the audio much better than the sentence
/// the grammar forced it onto? (docs/recognition.md, "Near misses")
struct GrammarVerifierTests {
    /// A real coffee order ("… americano …") that the grocery grammar hears as "get me an
    /// avocado" with full confidence: general English fits it far better than that sentence,
    /// and hardly better than the coffee sentence it really is.
    @Test func generalEnglishExplainsANearMissButNotTheCommandItWas() async throws {
        let clip = TestPaths.coffeeDev.appendingPathComponent("35572354-0df2-473d-84fd-538a6f1a70d6.opus")
        let samples = try RecognizerTests.pcm(clip)
        let heard = try await RecognizerTests.recognize(clip)
        let command = heard.transcript.split(separator: " ").map(String.init)
        #expect(heard.intent?.name == "orderDrink", "\(heard)")
        let nearMiss = ["get", "me", "an", "avocado"]
        let words = try TestGrammars.loader.load("coffee").vocabulary().map(\.word) + nearMiss
        // Without dither: its random stream is shared by every decoder in the process.
        let verifier = try GrammarVerifier(
            grammarWords: TestGrammars.lexicon.pronunciations(for: words), configuration: DecoderConfiguration(extraArguments: ["-dither": "no"]))
        let forCommand = try #require(try verifier.advantage(on: samples, words: command))
        let forNearMiss = try #require(try verifier.advantage(on: samples, words: nearMiss))
        let limit = ConfidenceScorer().maximumOutOfGrammar
        #expect(forCommand < limit && forNearMiss >= limit, "advantage \(forCommand) for \(command), \(forNearMiss) for \(nearMiss)")
    }
}
