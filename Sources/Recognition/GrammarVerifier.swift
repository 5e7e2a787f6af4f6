import Foundation

/// A second opinion on an accepted utterance: does general English explain the audio much
/// better than the grammar's sentence does? A grammar decoder always returns its nearest
/// sentence, so a coffee order spoken to a grocery shop comes out as "get me an avocado"
/// (for "americano") with a good confidence. The verifier decodes the same audio twice with
/// one decoder and the same features (whole utterance): once forced onto the sentence, once
/// with Debian's general English language model and the whole dictionary; the difference of
/// their acoustic scores per frame is the evidence (`ConfidenceScorer.Evidence.outOfGrammar`).
///
/// Not `Sendable`: one utterance at a time (`VerifierPool`).
public final class GrammarVerifier {
    private let decoder: SpeechDecoder
    private static let languageModel = "general"
    private static let sentence = "sentence"

    /// Loads the full dictionary, the grammar's own words (`grammarWords`, some of which the
    /// standard dictionary lacks) and the general language model: about 30 MB, a fraction of
    /// a second.
    public init(grammarWords: [(word: String, phones: String)], configuration: DecoderConfiguration = .verifier) throws(RecognitionError) {
        decoder = try SpeechDecoder(configuration: configuration)
        try decoder.addMissingWords(grammarWords)
        try decoder.addLanguageModel(
            name: Self.languageModel, file: DecoderConfiguration.debianModelDirectory.appendingPathComponent("en-us.lm.bin"))
    }

    /// How much better general English fits the audio than `words` do, per 10 ms frame of
    /// speech (≥ 0 in practice; near 0 when the sentence is what was said). `words`: the
    /// sentence the grammar decoder returned (pronunciation variants such as `get(2)` are
    /// fine). Nil when a search finds no path.
    ///
    /// The two sentences are compared by aligning each to the audio with the same kind of
    /// search: the language-model search scores its path on another scale.
    public func advantage(on samples: [Int16], words: [String]) throws(RecognitionError) -> Double? {
        try decoder.activate(Self.languageModel)
        guard let general = try decoder.decode(utterance: samples) else { return nil }
        let generalWords = general.segments.filter { !$0.isFiller && $0.word != "<s>" && $0.word != "</s>" }.map(\.word)
        guard let forced = try align(words, samples), let heard = try align(generalWords, samples) else { return nil }
        let speechFrames = forced.segments.filter { !$0.isFiller }.reduce(0) { $0 + $1.frames.count }
        return Double(heard.acousticScore - forced.acousticScore) / Double(max(1, speechFrames))
    }

    /// The audio forced onto one sentence: its best alignment.
    private func align(_ words: [String], _ samples: [Int16]) throws(RecognitionError) -> SpeechDecoder.Hypothesis? {
        let sentence = words.map(Self.baseWord).joined(separator: " ")
        guard !sentence.isEmpty else { return nil }
        // The search in use must not be replaced: switch away from it first.
        try decoder.activate(Self.languageModel)
        try decoder.addGrammar(name: Self.sentence, jsgf: "#JSGF V1.0;\ngrammar sentence;\npublic <sentence> = \(sentence);\n")
        try decoder.activate(Self.sentence)
        return try decoder.decode(utterance: samples)
    }

    /// `get(2)` → `get`: the sentence grammar allows every pronunciation of a word.
    private static func baseWord(_ word: String) -> String {
        word.replacingOccurrences(of: #"\(\d+\)$"#, with: "", options: .regularExpression)
    }
}

extension DecoderConfiguration {
    /// The whole dictionary and PocketSphinx's default beams: a general-English search is
    /// far larger than a grammar's, and its score only needs to be near the best. At most
    /// 3,000 active HMMs a frame: a third less CPU per check with the near misses still
    /// separated; `-topn 2` or `-ds 2` cost less again but let more through (docs/recognition.md).
    public static var verifier: DecoderConfiguration {
        DecoderConfiguration(extraArguments: ["-dither": "yes", "-seed": "1", "-maxhmmpf": "3000"])
    }
}
