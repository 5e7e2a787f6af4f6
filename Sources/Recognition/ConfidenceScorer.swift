import Foundation

/// Judges how well an utterance really fits the sentence the grammar forced it onto, as a
/// confidence in [0, 1], and decides whether to act on it.
///
/// A grammar-constrained decoder always returns some sentence. When the audio is a command,
/// the path's words cover the speech and the acoustic score per frame is good. When it is TV
/// talk, music or noise forced onto a short command, most of the speech goes to silence and
/// noise fillers and the words that remain fit poorly. The mismatch combines these:
///
///     mismatch = unexplained speech + 0.015 × (−acoustic score per frame)
///              + 2 × max(0, 0.5 − words per second of the utterance)
///
/// (the last term: one word cannot explain fifteen seconds of sound), plus, when the front end
/// denoised the utterance, 1 per dB that it removed beyond `minimumRetainedDecibels` (denoised
/// music and loud noise leave short, confidently decoded scraps; speech at 6 dB SNR keeps all
/// but 1–4.5 dB of its sound, music and noise lose 5–40 dB). The confidence is a logistic curve
/// around `midpoint`. Measured on the 160 coffee recordings, the espeak
/// fixtures and 50 minutes of non-command audio: every command below 0.73, all but one
/// non-command utterance above 0.86 (docs/recognition.md).
public struct ConfidenceScorer: Sendable, Equatable {
    /// Results below this are rejected as `low_confidence`.
    public var threshold: Double
    /// Mismatch at which the confidence is 0.5.
    public var midpoint: Double
    /// Width of the logistic curve around the midpoint.
    public var width: Double
    /// Weight of the (negated) acoustic score per frame in the mismatch.
    public var acousticWeight: Double
    /// Fewer words per second of utterance than this adds to the mismatch.
    public var minimumWordRate: Double
    public var wordRateWeight: Double
    /// A denoised utterance that lost more of its sound than this (dB) adds to the mismatch.
    public var minimumRetainedDecibels: Double
    /// Near misses, when a grammar verifier is configured: only utterances whose words fit
    /// worse than this per frame are verified (a second, general-English search costs CPU;
    /// most commands fit better)…
    public var verifyBelowAcousticScore = -30.0
    /// … and they count as not said when general English fits this much better per frame.
    public var maximumOutOfGrammar = 8.5

    public init(
        threshold: Double = 0.5, midpoint: Double = 0.8, width: Double = 0.03, acousticWeight: Double = 0.015,
        minimumWordRate: Double = 0.5, wordRateWeight: Double = 2, minimumRetainedDecibels: Double = -4.5
    ) {
        self.minimumRetainedDecibels = minimumRetainedDecibels
        self.threshold = threshold
        self.midpoint = midpoint
        self.width = width
        self.acousticWeight = acousticWeight
        self.minimumWordRate = minimumWordRate
        self.wordRateWeight = wordRateWeight
    }

    /// The evidence one decoded utterance gives.
    public struct Evidence: Sendable, Equatable, Codable {
        public var unexplainedSpeech: Double
        public var acousticScorePerFrame: Double
        public var wordsPerSecond: Double
        /// How well each word of the path fits its stretch of audio.
        public var words: [WordFit]
        /// How much better general English fits the audio than the sentence, per frame, when
        /// the grammar verifier was asked (`GrammarVerifier`).
        public var outOfGrammar: Double?
        /// The verifier was wanted but its CPU budget was spent, it was busy, or it did not
        /// answer in time (`VerifierPool`).
        public var verificationSkipped = false

        /// How much of the utterance's sound the front end's denoiser kept, in dB (nil when it
        /// was not denoised).
        public var retainedDecibels: Double?

        public init(
            unexplainedSpeech: Double, acousticScorePerFrame: Double, wordsPerSecond: Double, words: [WordFit] = [],
            retainedDecibels: Double? = nil
        ) {
            self.retainedDecibels = retainedDecibels
            self.unexplainedSpeech = unexplainedSpeech
            self.acousticScorePerFrame = acousticScorePerFrame
            self.wordsPerSecond = wordsPerSecond
            self.words = words
        }
    }

    /// One word of the path: its frames and acoustic score per frame.
    public struct WordFit: Sendable, Equatable, Codable {
        public var word: String
        public var frames: Int
        public var acousticScorePerFrame: Double

        public init(word: String, frames: Int, acousticScorePerFrame: Double) {
            self.word = word
            self.frames = frames
            self.acousticScorePerFrame = acousticScorePerFrame
        }
    }

    public func mismatch(_ evidence: Evidence) -> Double {
        evidence.unexplainedSpeech + acousticWeight * -evidence.acousticScorePerFrame
            + wordRateWeight * max(0, minimumWordRate - evidence.wordsPerSecond)
            + max(0, minimumRetainedDecibels - (evidence.retainedDecibels ?? 0))
            + ((evidence.outOfGrammar ?? 0) >= maximumOutOfGrammar ? 1 : 0)
    }

    /// Whether an accepted utterance should be put to the grammar verifier.
    public func wantsVerification(_ evidence: Evidence) -> Bool {
        evidence.acousticScorePerFrame < verifyBelowAcousticScore
    }

    public func confidence(_ evidence: Evidence) -> Double {
        1 / (1 + exp((mismatch(evidence) - midpoint) / width))
    }
}

extension SpeechDecoder.Hypothesis {
    /// Acoustic score per frame as PocketSphinx reports it (typically −10 for a clean fit … −50).
    public var acousticScorePerFrame: Double { Double(acousticScore) / Double(max(1, frames)) }

    /// Each word's fit (fillers left out).
    public var wordFits: [ConfidenceScorer.WordFit] {
        segments.filter { !$0.isFiller }.map { segment in
            ConfidenceScorer.WordFit(
                word: segment.word, frames: segment.frames.count,
                acousticScorePerFrame: Double(segment.acousticScore) / Double(segment.frames.count))
        }
    }

    /// Share of the span from the first to the last speech frame that the decoder aligned to
    /// silence or noise fillers: talk the sentence does not explain. Leading and trailing
    /// silence (the endpointer's padding) is left out, so a one-word answer is judged on the
    /// word alone. Near 0 for a command; high for minutes of TV talk forced onto one.
    public func unexplainedSpeechShare(speechFrames: [Bool]) -> Double {
        guard let first = speechFrames.firstIndex(of: true), let last = speechFrames.lastIndex(of: true) else { return 1 }
        let span = first...last
        var unexplained = 0
        for segment in fillerSegments {
            let lower = max(segment.lowerBound, span.lowerBound), upper = min(segment.upperBound, span.upperBound)
            if lower <= upper { unexplained += upper - lower + 1 }
        }
        return Double(unexplained) / Double(span.count)
    }
}
