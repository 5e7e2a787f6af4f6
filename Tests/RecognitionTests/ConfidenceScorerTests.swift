import Recognition
import Testing

/// The rules the confidence adds on top of the acoustic fit, on hand-made evidence.
struct ConfidenceScorerTests {
    let scorer = ConfidenceScorer()
    /// A command that fits well: every frame of speech explained, a good score, a normal pace.
    let command = ConfidenceScorer.Evidence(unexplainedSpeech: 0, acousticScorePerFrame: -25, wordsPerSecond: 2.5)

    @Test func aWellFittingCommandIsAccepted() {
        #expect(scorer.confidence(command) > 0.99)
    }

    @Test func speechTheDenoiserKeptStaysAcceptedAndNoiseItRemovedIsRejected() {
        var denoisedSpeech = command
        denoisedSpeech.retainedDecibels = -3
        #expect(scorer.confidence(denoisedSpeech) > 0.99)
        var denoisedMusic = command
        denoisedMusic.retainedDecibels = -6
        #expect(scorer.confidence(denoisedMusic) < scorer.threshold)
    }

    @Test func aNearMissIsRejectedOnlyWhenGeneralEnglishFitsMuchBetter() {
        var poorFit = command
        poorFit.acousticScorePerFrame = -40
        #expect(scorer.wantsVerification(poorFit))
        #expect(!scorer.wantsVerification(command), "a good fit costs no second search")
        poorFit.outOfGrammar = 2
        #expect(scorer.confidence(poorFit) >= scorer.threshold)
        poorFit.outOfGrammar = 12
        #expect(scorer.confidence(poorFit) < scorer.threshold)
    }
}
