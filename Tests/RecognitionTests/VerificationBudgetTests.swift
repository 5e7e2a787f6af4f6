import Recognition
import Testing

/// Near-miss verification within a share of one core over a sliding window; time is passed in.
struct VerificationBudgetTests {
    @Test func verificationStopsWhenTheShareIsSpentAndResumesAsItLeavesTheWindow() {
        var budget = VerificationBudget(shareOfACore: 0.1, window: .seconds(60))  // 6 s a minute
        let start = ContinuousClock.now
        let fresh = budget.allows(at: start)
        #expect(fresh)
        for second in 0..<8 { budget.record(.milliseconds(750), at: start + .seconds(second)) }  // 6 s spent
        let spent = budget.allows(at: start + .seconds(10)), spentTime = budget.spent(at: start + .seconds(10))
        #expect(!spent && spentTime == .seconds(6))
        // The first verification leaves the window a minute after it ended.
        let oneLeft = budget.allows(at: start + .seconds(60) + .milliseconds(1))
        let twoLeft = budget.spent(at: start + .seconds(61) + .milliseconds(1))
        #expect(oneLeft && twoLeft == .milliseconds(4500))
    }

    @Test func aZeroShareVerifiesNothing() {
        var budget = VerificationBudget(shareOfACore: 0)
        let allowed = budget.allows(at: .now)
        #expect(!allowed)
    }
}
