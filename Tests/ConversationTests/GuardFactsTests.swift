import Commerce
import Conversation
import Foundation
import Grammar
import Testing

/// The session reads the guard's facts (a few store queries) only when `needsFacts` says the
/// turn may use them; a turn that used them without being asked would go unguarded. This
/// checks `needsFacts` against what `heard` actually does, for every command, from each
/// state a turn can start in.
struct GuardFactsTests {
    let start = Date(timeIntervalSince1970: 1_000_000)

    /// Machines with a latte in the cart: idle, after an unclear (low-confidence) checkout,
    /// awaiting a yes to a read-back, and awaiting a yes to cancel.
    func machines() -> [(String, ConversationMachine)] {
        var idle = ConversationMachine(catalog: ConfirmationGuardTests.catalog)
        _ = idle.heard(Intent(.orderDrink, slots: ["coffeeDrink": "latte"], text: "a latte"), confidence: 0.95, at: start)
        var clarifying = idle
        _ = clarifying.heard(Intent(.checkout, text: "check out"), confidence: 0.1, at: start)
        var readBack = idle
        _ = readBack.heard(Intent(.checkout, text: "check out"), confidence: 0.95, at: start)
        var cancelling = idle
        _ = cancelling.heard(Intent(.cancelOrder, text: "cancel my order"), confidence: 0.95, at: start)
        return [("idle", idle), ("clarifying a checkout", clarifying), ("awaiting a read-back's yes", readBack), ("awaiting a cancel's yes", cancelling)]
    }

    @Test func factsAreReadOnlyWhenNeedsFactsSaysSo() {
        for (state, machine) in machines() {
            for command in Command.allCases {
                var copy = machine
                let intent = Intent(command, slots: ["coffeeDrink": "latte", "digits": "1 2 3 4"], text: command.rawValue)
                var read = false
                _ = copy.heard(intent, confidence: 0.95, at: start.addingTimeInterval(1), facts: { read = true; return .init() }())
                #expect(!read || machine.needsFacts(for: intent), "\(command) in state '\(state)' read the facts unasked")
            }
        }
    }

    @Test func aCheckoutAndAYesToAClarifiedCheckoutReadThem() {
        let machines = Dictionary(uniqueKeysWithValues: machines())
        var idle = machines["idle"]!
        var read = false
        _ = idle.heard(Intent(.checkout, text: "check out"), confidence: 0.95, at: start, facts: { read = true; return .init() }())
        #expect(read, "the test above must be able to see a read")
        var clarifying = machines["clarifying a checkout"]!
        read = false
        _ = clarifying.heard(Intent(.yes, text: "yes"), confidence: 0.95, at: start, facts: { read = true; return .init() }())
        #expect(read)
    }
}
