import Foundation
import Grammar

/// From a whole utterance of 16 kHz PCM to an intent, or a rejection: the decoder pool
/// constrained by the dialog state's grammar, the interpreter, and the confidence check.
public struct SpeechRecognizer: Sendable {
    public let pool: DecoderPool
    /// Decoders with the acoustic model adapted to denoised speech, for utterances the front
    /// end denoised; nil: those use `pool` too.
    public let noisyRoomPool: DecoderPool?
    public let interpreter: IntentInterpreter
    public var scorer: ConfidenceScorer
    /// Asked about accepted utterances, when set.
    public var verifiers: VerifierPool?
    /// Intents accepted without asking the verifiers: questions whose answer changes nothing
    /// ("where is my order"), where a near miss costs a re-ask and waiting costs every caller.
    public var unverifiedIntents: Set<String> = []

    public init(
        pool: DecoderPool, noisyRoomPool: DecoderPool? = nil, interpreter: IntentInterpreter, scorer: ConfidenceScorer = ConfidenceScorer(),
        verifiers: VerifierPool? = nil
    ) {
        self.pool = pool
        self.noisyRoomPool = noisyRoomPool
        self.interpreter = interpreter
        self.scorer = scorer
        self.verifiers = verifiers
    }

    /// Builds the pool for a grammar: exports every state's JSGF and writes the dictionary cut
    /// to the grammar's words into `workDirectory` (decoders then start in milliseconds).
    /// `verifyNearMisses`: ask general English about accepted utterances that fit poorly
    /// (`GrammarVerifier`; about 30 MB per verifier, made when first needed), within
    /// `verificationBudget` (nil: every one that asks).
    /// `noisyRoomModel`: a directory of adapted model files (`scripts/adapt-model.sh`) for
    /// utterances the front end denoised.
    public static func make(
        grammar: IntentGrammar, lexicon: Lexicon, workDirectory: URL, poolSize: Int,
        configuration: DecoderConfiguration = DecoderConfiguration(), noisyRoomModel: URL? = nil,
        scorer: ConfidenceScorer = ConfidenceScorer(), verifyNearMisses: Bool = false, verificationBudget: VerificationBudget? = nil,
        verifierConfiguration: DecoderConfiguration = .verifier
    ) throws -> SpeechRecognizer {
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        let dictionary = workDirectory.appendingPathComponent("\(grammar.name).dict")
        let vocabulary = grammar.vocabulary().map(\.word)
        try lexicon.subset(for: vocabulary).write(to: dictionary, atomically: true, encoding: .utf8)
        var jsgf: [DialogState: String] = [:]
        for state in grammar.states { jsgf[state] = try JSGFExporter.export(grammar, state: state) }
        let grammars = DecoderPool.Grammars(jsgfByState: jsgf, dictionary: dictionary)
        let noisyRoomPool = try noisyRoomModel.map {
            DecoderPool(configuration: try configuration.adapted(by: $0), grammars: grammars, size: poolSize)
        }
        return SpeechRecognizer(
            pool: DecoderPool(configuration: configuration, grammars: grammars, size: poolSize), noisyRoomPool: noisyRoomPool,
            interpreter: IntentInterpreter(grammar: grammar), scorer: scorer,
            verifiers: verifyNearMisses
                ? VerifierPool(
                    grammarWords: lexicon.pronunciations(for: vocabulary), size: poolSize, budget: verificationBudget,
                    configuration: verifierConfiguration) : nil)
    }

    /// The decoders for an utterance: the noisy-room model's when the front end denoised it.
    public func pool(denoised: Bool) -> DecoderPool {
        denoised ? noisyRoomPool ?? pool : pool
    }

    /// Loads `count` decoders of each model now (all of the pools' size when nil), and the
    /// near-miss verifier if there is one.
    public func warmUp(_ count: Int? = nil) async throws(RecognitionError) {
        try await pool.warmUp(count)
        try await noisyRoomPool?.warmUp(count)
        try await verifiers?.warmUp()
    }

    /// How complete the words heard so far are, for the endpointer (incomplete on any doubt).
    public func completeness(of words: [String], state: DialogState) -> SentenceCompleteness {
        (try? interpreter.completeness(of: words, state: state)) ?? .incomplete
    }

    /// Recognises a whole utterance. `streamed` is the same utterance already fed to a decoder
    /// while it was spoken (`pool.beginUtterance`): only its end remains to be searched.
    /// `retainedDecibels`: how much of its sound the front end's denoiser kept, if it ran (a
    /// denoised utterance not streamed is decoded with the noisy-room model).
    public func recognize(
        _ samples: [Int16], state: DialogState = IntentGrammar.defaultState, streamed: StreamingUtterance? = nil,
        retainedDecibels: Double? = nil
    ) async throws -> RecognitionResult {
        let seconds = Double(samples.count) / Double(16_000)
        let decoded = if let streamed { try await streamed.finish() } else { try await pool(denoised: retainedDecibels != nil).decode(samples, state: state) }
        guard let hypothesis = decoded else {
            return .rejected(.noMatch, audioSeconds: seconds)
        }
        let evidence = ConfidenceScorer.Evidence(
            unexplainedSpeech: hypothesis.unexplainedSpeechShare(speechFrames: SpeechActivity.speechFrames(samples)),
            acousticScorePerFrame: hypothesis.acousticScorePerFrame,
            wordsPerSecond: Double(hypothesis.words.count) / max(seconds, 0.01), words: hypothesis.wordFits,
            retainedDecibels: retainedDecibels)
        var result = RecognitionResult(
            transcript: hypothesis.words.joined(separator: " "), intent: nil, confidence: scorer.confidence(evidence),
            rejection: nil, audioSeconds: seconds, evidence: evidence)
        if let intent = try interpreter.interpret(words: hypothesis.words, state: state) {
            if result.confidence >= scorer.threshold, let verifiers, !unverifiedIntents.contains(intent.name), scorer.wantsVerification(evidence) {
                switch try await verifiers.verify(samples, words: hypothesis.words) {
                case .verified(let advantage): result.evidence?.outOfGrammar = advantage
                case .skipped, .late: result.evidence?.verificationSkipped = true
                }
                if let checked = result.evidence { result.confidence = scorer.confidence(checked) }
            }
            if result.confidence >= scorer.threshold { result.intent = intent } else { result.rejection = .lowConfidence }
        } else {
            result.rejection = .noMatch
        }
        return result
    }
}
