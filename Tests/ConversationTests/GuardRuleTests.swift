import Commerce
import Conversation
import Foundation
import Grammar
import Testing

/// The PIN, repeat, spending, payment-method and broadcast rules of `ConfirmationGuard`, and
/// the follow-up question for a missing option, on the pure state machine.
struct GuardRuleTests {
    static let catalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 50,
                requiredOptions: ["size"], surcharges: ["size": ["large": 50, "small": -50]]),
        Product(id: "mocha", name: "mocha", price: Money(minorUnits: 450, currency: "USD"), stock: 50),
    ])
    let start = Date(timeIntervalSince1970: 2_000_000)

    func intent(_ name: String, _ slots: [String: String] = [:]) -> Intent {
        Intent(name: name, slots: slots, text: name)
    }

    func pinIntent(_ digits: String) -> Intent {
        var slots: [String: String] = [:]
        for (index, digit) in digits.enumerated() { slots["digit\(index + 1)"] = String(digit) }
        return Intent(name: "pinDigits", slots: slots, text: digits.map { "\($0)" }.joined(separator: " "))
    }

    /// A machine with `mochas` mochas in the cart, checked out under `facts`.
    func checkedOut(mochas: Int, facts: ConfirmationGuard.Facts) -> (ConversationMachine, [DialogAction]) {
        var machine = ConversationMachine(catalog: Self.catalog)
        _ = machine.heard(intent("orderDrink", ["coffeeDrink": "mocha", "quantity": "\(mochas)"]), confidence: 0.9, at: start)
        let actions = machine.heard(intent("checkout"), confidence: 0.9, at: start, facts: facts)
        return (machine, actions)
    }

    @Test func ordersAboveTheAmountNeedThePIN() {
        // 12 mochas = USD 54.00 > the USD 50.00 default.
        var (machine, _) = checkedOut(mochas: 12, facts: .init())
        let askPIN = machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1))
        #expect(askPIN == [.say(Prompt("Please say your four-digit PIN.", expect: .pin))])
        #expect(machine.dialogState == .pin)
        let placed = machine.heard(pinIntent("1234"), confidence: 0.9, at: start.addingTimeInterval(2))
        #expect(placed == [.placeOrder(machine.cart, pin: "1234")])

        // Below the amount: no PIN.
        var (small, _) = checkedOut(mochas: 2, facts: .init())
        #expect(small.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1)) == [.placeOrder(small.cart, pin: nil)])
    }

    @Test func aPINDeviceNeedsThePINForAnyOrder() {
        var facts = ConfirmationGuard.Facts()
        facts.pinRequired = true
        var (machine, _) = checkedOut(mochas: 1, facts: facts)
        _ = machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1))
        #expect(machine.dialogState == .pin)
    }

    @Test func anythingButAConfidentPINPlacesNothingAndNeverEchoesDigits() {
        for (answer, confidence) in [(intent("cancel"), 0.9), (pinIntent("1234"), 0.3), (intent("yes"), 0.95)] {
            var facts = ConfirmationGuard.Facts()
            facts.pinRequired = true
            var (machine, _) = checkedOut(mochas: 1, facts: facts)
            _ = machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1))
            let actions = machine.heard(answer, confidence: confidence, at: start.addingTimeInterval(2))
            #expect(!actions.contains { if case .placeOrder = $0 { true } else { false } }, "\(answer.name)")
            #expect(!"\(actions)".contains("1 2 3 4") && !"\(actions)".contains("1234"))
            #expect(machine.pending == nil)
        }
    }

    @Test func noPINOnTheAccountOrALockedPINRefuses() {
        var facts = ConfirmationGuard.Facts()
        facts.pinRequired = true
        facts.hasPIN = false
        let (_, noPIN) = checkedOut(mochas: 1, facts: facts)
        #expect(noPIN == [.refuse(.needsPINButNoneSet)])
        #expect(Prompt.refusal(.needsPINButNoneSet) == Prompt("This order needs your PIN, and there is no PIN on your account.", expect: .command))
        facts.hasPIN = true
        facts.pinLocked = true
        let (locked, lockedActions) = checkedOut(mochas: 1, facts: facts)
        #expect(locked.pending == nil)
        #expect(lockedActions == [.refuse(.pinLocked)])
    }

    @Test func theSameOrderWithinTheWindowNeedsASecondYes() {
        var probe = ConversationMachine(catalog: Self.catalog)
        _ = probe.heard(intent("orderDrink", ["coffeeDrink": "mocha", "quantity": "2"]), confidence: 0.9, at: start)
        var facts = ConfirmationGuard.Facts()
        facts.recentOrders = [.init(signature: probe.cart.signature, placedAt: start.addingTimeInterval(-180))]
        var (machine, _) = checkedOut(mochas: 2, facts: facts)
        let second = machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1))
        #expect(second == [.say(Prompt("You ordered exactly this 3 minutes ago. Say yes again to order it a second time.", expect: .confirmation))])
        // The second yes is carried to the server, which checks the repeat rule once more.
        #expect(machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(2)) == [
            .placeOrder(machine.cart, pin: nil, repeatConfirmed: true)
        ])

        // A different order, or the same one outside the window, needs one yes.
        facts.recentOrders = [.init(signature: probe.cart.signature, placedAt: start.addingTimeInterval(-700))]
        var (old, _) = checkedOut(mochas: 2, facts: facts)
        #expect(old.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1)) == [.placeOrder(old.cart, pin: nil)])
        facts.recentOrders = [.init(signature: probe.cart.signature, placedAt: start)]
        var (other, _) = checkedOut(mochas: 3, facts: facts)
        #expect(other.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1)) == [.placeOrder(other.cart, pin: nil)])
    }

    @Test func theDailySpendLimitRefusesAndTheDeviceCanOverrideIt() {
        var facts = ConfirmationGuard.Facts()
        facts.spentTodayMinorUnits = 9_000
        let (refused, actions) = checkedOut(mochas: 3, facts: facts)  // 9,000 + 1,350 > 10,000
        #expect(refused.pending == nil)
        #expect(actions == [.refuse(.overDailyLimit(left: Money(minorUnits: 1_000, currency: "USD")))])
        #expect(Prompt.refusal(.overDailyLimit(left: Money(minorUnits: 1_000, currency: "USD"))).text
                == "That would go over this device's daily spending limit; USD 10.00 is left today.")
        facts.deviceDailyLimitMinorUnits = 20_000
        let (allowed, _) = checkedOut(mochas: 3, facts: facts)
        #expect(allowed.pending != nil)
    }

    @Test func noPaymentMethodOrABroadcastRefuses() {
        var facts = ConfirmationGuard.Facts()
        facts.hasPaymentMethod = false
        #expect(checkedOut(mochas: 1, facts: facts).0.pending == nil)
        facts = ConfirmationGuard.Facts()
        facts.broadcastSuppressed = true
        let (machine, actions) = checkedOut(mochas: 1, facts: facts)
        #expect(machine.pending == nil)
        #expect(actions == [.refuse(.broadcastPause)])
        #expect(Prompt.refusal(.broadcastPause).text.contains("like a TV advert"))
    }

    @Test func aMissingSizeIsAskedForAndTheAnswerCompletesTheItem() {
        var machine = ConversationMachine(catalog: Self.catalog)
        let ask = machine.heard(intent("orderDrink", ["coffeeDrink": "latte", "milkAmount": "soy milk"]), confidence: 0.9, at: start)
        #expect(ask == [.say(Prompt("What size would you like your latte?", expect: .command))])
        #expect(machine.cart.isEmpty)
        _ = machine.heard(intent("chooseOption", ["size": "large"]), confidence: 0.9, at: start.addingTimeInterval(1))
        #expect(machine.cart.lines.map(\.options) == [["size": "large", "milkAmount": "soy milk"]])
        #expect(machine.cart.total == Money(minorUnits: 475, currency: "USD"))
        // A size with no question pending adds nothing.
        _ = machine.heard(intent("chooseOption", ["size": "small"]), confidence: 0.9, at: start.addingTimeInterval(2))
        #expect(machine.cart.lines.count == 1)
    }

    @Test func theFactsAreLookedUpOnlyWhenAnOrderIsProposed() {
        final class Lookups: @unchecked Sendable { var count = 0 }
        let lookups = Lookups()
        func facts() -> ConfirmationGuard.Facts {
            lookups.count += 1
            return .init()
        }
        var machine = ConversationMachine(catalog: Self.catalog)
        _ = machine.heard(intent("orderDrink", ["coffeeDrink": "mocha"]), confidence: 0.9, at: start, facts: facts())
        _ = machine.heard(intent("cartContents"), confidence: 0.9, at: start, facts: facts())
        #expect(lookups.count == 0)
        _ = machine.heard(intent("checkout"), confidence: 0.9, at: start, facts: facts())
        #expect(lookups.count == 1)
    }

    @Test func theUsualIsReadBackBeforeItIsPlaced() {
        var machine = ConversationMachine(catalog: Self.catalog)
        let usual = try! Cart(lines: [.init(productId: "mocha", quantity: 2, options: [:], unitPrice: Money(minorUnits: 1, currency: "USD"))], from: Self.catalog)
        let actions = machine.propose(usual, intro: "Your usual. ", at: start, facts: .init())
        #expect(actions == [.say(Prompt("Your usual. Your cart: 2 mocha, USD 9.00. Total USD 9.00. Shall I place the order?", expect: .confirmation))])
        #expect(machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1)) == [.placeOrder(usual, pin: nil)])
    }

    @Test func theRecheckCatchesWhatAnotherConversationDidSinceTheReadBack() throws {
        var (machine, _) = checkedOut(mochas: 2, facts: .init())
        let cart = machine.cart
        let rules = ConfirmationGuard()
        var facts = ConfirmationGuard.Facts()
        func objection(repeatConfirmed: Bool) -> SpendingObjection? {
            rules.spendingCheck(cart, facts: facts, repeatConfirmed: repeatConfirmed, at: start).objection(to: facts.spending)
        }
        #expect(objection(repeatConfirmed: false) == nil)

        // The same order placed by another conversation a moment ago: a second yes is needed…
        facts.recentOrders = [.init(signature: cart.signature, placedAt: start.addingTimeInterval(-20))]
        #expect(objection(repeatConfirmed: false) == .sameOrderRecently(minutesAgo: 0))
        // …unless it was already said.
        #expect(objection(repeatConfirmed: true) == nil)

        // Spending by another session meanwhile: refused, whatever was confirmed.
        facts.spentTodayMinorUnits = 9_500
        let left = Money(minorUnits: 500, currency: "USD")
        #expect(objection(repeatConfirmed: true) == .overDailyLimit(left: left))
        let overLimit = ConfirmationGuard.Refusal.overDailyLimit(left: left)
        #expect(Prompt.refusal(overLimit).text == "That would go over this device's daily spending limit; USD 5.00 is left today.")

        // The machine asks for the second yes, and only that yes places the order.
        _ = machine.heard(intent("yes"), confidence: 0.9, at: start)
        let asked = machine.confirmRepeat(of: cart, minutesAgo: 0, at: start)
        #expect(asked == [.say(Prompt("You ordered exactly this less than a minute ago. Say yes again to order it a second time.", expect: .confirmation))])
        var declined = machine
        #expect(!declined.heard(intent("no"), confidence: 0.9, at: start.addingTimeInterval(1)).contains { if case .placeOrder = $0 { true } else { false } })
        #expect(machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1)) == [
            .placeOrder(cart, pin: nil, repeatConfirmed: true)
        ])
    }
}

struct BroadcastDetectorTests {
    let start = Date(timeIntervalSince1970: 3_000_000)

    @Test func theSameWordsFromThreeCustomersWithinTheWindowPauseThemAll() {
        var detector = BroadcastDetector()
        #expect(detector.record(transcript: "order a large latte", customer: "a", at: start).isEmpty)
        #expect(detector.record(transcript: "Order a  large latte", customer: "b", at: start.addingTimeInterval(5)).isEmpty)
        #expect(detector.record(transcript: "order a large latte", customer: "c", at: start.addingTimeInterval(9)) == ["a", "b", "c"])
        for customer in ["a", "b", "c"] { #expect(detector.isSuppressed(customer, at: start.addingTimeInterval(60))) }
        #expect(!detector.isSuppressed("d", at: start.addingTimeInterval(60)))
        #expect(!detector.isSuppressed("a", at: start.addingTimeInterval(400)), "the pause ends")
    }

    @Test func oneCustomerRepeatingOrWordsSpreadOverTimeAreNoBroadcast() {
        var detector = BroadcastDetector()
        for second in 0..<5 { _ = detector.record(transcript: "a latte", customer: "a", at: start.addingTimeInterval(Double(second))) }
        #expect(!detector.isSuppressed("a", at: start.addingTimeInterval(5)))
        _ = detector.record(transcript: "a mocha", customer: "a", at: start)
        _ = detector.record(transcript: "a mocha", customer: "b", at: start.addingTimeInterval(40))
        #expect(detector.record(transcript: "a mocha", customer: "c", at: start.addingTimeInterval(80)).isEmpty)
    }

}

/// The near-miss verifier is skipped only for questions whose answer changes nothing.
struct UnverifiedQuestionTests {
    @Test func nothingThatChangesACartOrAnOrderSkipsTheNearMissCheck() {
        let changing: [Command] = [.yes, .no, .pinDigits, .orderDrink, .addItem, .chooseOption, .removeItem, .removeProduct, .checkout, .cancelOrder, .orderTheUsual, .speakToPerson]
        for command in changing { #expect(!Command.onlyAsking.contains(command), "\(command)") }
        #expect(Set(changing).union(Command.onlyAsking) == Set(Command.allCases), "every command is classified")
    }
}
