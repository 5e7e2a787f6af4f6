import Commerce
import Conversation
import Foundation
import Grammar
import Testing

/// Every rule of the confirmation guard, on the pure state machine.
struct ConfirmationGuardTests {
    static let catalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 20),
        Product(id: "mocha", name: "mocha", price: Money(minorUnits: 450, currency: "USD"), stock: 20),
    ])
    let start = Date(timeIntervalSince1970: 1_000_000)

    func intent(_ name: String, _ slots: [String: String] = [:], text: String = "") -> Intent {
        Intent(name: name, slots: slots, text: text.isEmpty ? name : text)
    }

    func placed(_ actions: [DialogAction]) -> Bool {
        actions.contains { if case .placeOrder = $0 { true } else { false } }
    }

    @Test func anOrderIsPlacedOnlyAfterReadBackAndAnExplicitYes() {
        var machine = ConversationMachine(catalog: Self.catalog)
        #expect(!placed(machine.heard(intent("orderDrink", ["coffeeDrink": "latte", "size": "large", "milkAmount": "soy milk"]), confidence: 0.95, at: start)))
        let readBack = machine.heard(intent("checkout"), confidence: 0.95, at: start)
        #expect(readBack == [.say(Prompt("Your cart: 1 latte (soy milk, large), USD 4.25. Total USD 4.25. Shall I place the order?", expect: .confirmation))])
        #expect(machine.dialogState == .confirmation)
        let confirmed = machine.heard(intent("yes"), confidence: 0.95, at: start.addingTimeInterval(2))
        #expect(confirmed == [.placeOrder(machine.cart, pin: nil)])
        #expect(machine.dialogState == .main)
        machine.orderPlaced()
        #expect(machine.cart.isEmpty)
    }

    @Test func anythingButYesDropsThePendingOrder() {
        for answer in ["no", "cancel", "change", "help", "orderDrink"] {
            var machine = ConversationMachine(catalog: Self.catalog)
            _ = machine.heard(intent("orderDrink", ["coffeeDrink": "mocha"]), confidence: 0.9, at: start)
            _ = machine.heard(intent("checkout"), confidence: 0.9, at: start)
            let actions = machine.heard(intent(answer, ["coffeeDrink": "latte"]), confidence: 0.9, at: start.addingTimeInterval(1))
            #expect(!placed(actions), "\(answer)")
            #expect(machine.pending == nil)
            #expect(!machine.cart.isEmpty, "the cart is kept")
        }
    }

    @Test func silencePastTheWindowCancelsAndALateYesPlacesNothing() {
        var machine = ConversationMachine(catalog: Self.catalog)
        _ = machine.heard(intent("orderDrink", ["coffeeDrink": "latte"]), confidence: 0.9, at: start)
        _ = machine.heard(intent("checkout"), confidence: 0.9, at: start)
        #expect(machine.tick(at: start.addingTimeInterval(5)).isEmpty)
        #expect(!machine.tick(at: start.addingTimeInterval(9)).isEmpty)
        #expect(machine.pending == nil)
        #expect(!placed(machine.heard(intent("yes"), confidence: 0.99, at: start.addingTimeInterval(10))))

        var late = ConversationMachine(catalog: Self.catalog)
        _ = late.heard(intent("orderDrink", ["coffeeDrink": "latte"]), confidence: 0.9, at: start)
        _ = late.heard(intent("checkout"), confidence: 0.9, at: start)
        // No tick arrived, but the yes comes after the window: still nothing placed.
        #expect(!placed(late.heard(intent("yes"), confidence: 0.99, at: start.addingTimeInterval(30))))
    }

    @Test func lowConfidenceIsReAskedNeverActedOn() {
        var machine = ConversationMachine(catalog: Self.catalog)
        let actions = machine.heard(intent("orderDrink", ["coffeeDrink": "latte"], text: "a latte"), confidence: 0.4, at: start)
        #expect(actions == [.say(Prompt("Did you say \"a latte\"?", expect: .confirmation))])
        #expect(machine.cart.isEmpty)
        _ = machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1))
        #expect(machine.cart.lines.count == 1)

        // A low-confidence checkout, even confirmed as heard, still needs the order's own yes.
        let clarified = machine.heard(intent("checkout"), confidence: 0.3, at: start.addingTimeInterval(2))
        #expect(!placed(clarified))
        let readBack = machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(3))
        #expect(!placed(readBack))
        #expect(machine.pending == .placeOrder(machine.cart, awaiting: [.readBack]))
        #expect(placed(machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(4))))
    }

    @Test func cancellingAnOrderNeedsConfirmationToo() {
        var machine = ConversationMachine(catalog: Self.catalog)
        #expect(machine.heard(intent("cancelOrder"), confidence: 0.9, at: start).allSatisfy { $0 != .cancelLatestOrder })
        #expect(machine.heard(intent("yes"), confidence: 0.9, at: start.addingTimeInterval(1)) == [.cancelLatestOrder])
        _ = machine.heard(intent("cancelOrder"), confidence: 0.9, at: start.addingTimeInterval(2))
        #expect(machine.heard(intent("no"), confidence: 0.9, at: start.addingTimeInterval(3)).allSatisfy { $0 != .cancelLatestOrder })
    }

    @Test func aYesOutOfTheBluePlacesNothing() {
        var machine = ConversationMachine(catalog: Self.catalog)
        _ = machine.heard(intent("orderDrink", ["coffeeDrink": "latte"]), confidence: 0.9, at: start)
        #expect(!placed(machine.heard(intent("yes"), confidence: 0.99, at: start.addingTimeInterval(1))))
    }

    @Test func unrecognisedSpeechWhileWaitingDropsThePendingOrder() {
        var machine = ConversationMachine(catalog: Self.catalog)
        _ = machine.heard(intent("orderDrink", ["coffeeDrink": "latte"]), confidence: 0.9, at: start)
        _ = machine.heard(intent("checkout"), confidence: 0.9, at: start)
        #expect(machine.rejected(at: start.addingTimeInterval(1)) == [
            .say(Prompt("I didn't hear a clear yes, so I haven't placed the order. Your cart is kept.", expect: .command)),
        ])
        #expect(!placed(machine.heard(intent("yes"), confidence: 0.99, at: start.addingTimeInterval(2))))
        #expect(machine.rejected(at: start.addingTimeInterval(3)).isEmpty, "nothing pending: nothing to say")
    }

    @Test func aLowConfidenceYesIsNotAYes() {
        var machine = ConversationMachine(catalog: Self.catalog)
        _ = machine.heard(intent("orderDrink", ["coffeeDrink": "latte"]), confidence: 0.9, at: start)
        _ = machine.heard(intent("checkout"), confidence: 0.9, at: start)
        #expect(!placed(machine.heard(intent("yes"), confidence: 0.5, at: start.addingTimeInterval(1))))
        #expect(machine.pending == nil)
    }

    @Test func outOfStockAndUnknownDrinksAreRefusedPolitely() {
        var machine = ConversationMachine(catalog: Self.catalog)
        let unknown = machine.heard(intent("orderDrink", ["coffeeDrink": "espresso"]), confidence: 0.9, at: start)
        #expect(unknown == [.say(Prompt("Sorry, we don't have that.", expect: .command))])
        #expect(machine.cart.isEmpty)
    }
}
