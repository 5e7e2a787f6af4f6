import Commerce
import Conversation
import Foundation
@testable import Server
import Store
import Testing

/// The dialog and its order desk driven alone, turn by turn: what a "yes" comes to, with the
/// stores it writes checked. No socket, no decoder (`DialogFixture`).
struct DialogRunnerTests {
    @Test func aConfirmedReadBackPlacesAndPaysTheOrderAndEmptiesTheCart() async throws {
        let shop = try DialogFixture()
        defer { shop.remove() }
        var session = try await shop.session(try await shop.device())

        let readBack = await session.orderAndCheckOut(quantity: 2)
        #expect(readBack.said.map(\.expect) == [.confirmation], "the checkout is a read-back: \(readBack)")
        #expect(try await shop.orders().isEmpty, "nothing is placed before the yes")

        let replies = await session.say(.yes)
        let orders = try await shop.orders()
        let order = try #require(orders.first)
        #expect(orders.count == 1 && order.status == .paid && order.totalMinorUnits == 850)
        #expect(replies.said == [.placed(paidWith: "Visa ending 4242", total: Money(minorUnits: 850, currency: "USD"))])
        let shown = replies.compactMap { if case .order(let shown) = $0 { shown.status } else { nil } }
        #expect(shown == [.placed, .paid], "the order is shown placed, then paid")
        #expect(session.cart.isEmpty && session.state == .main)
        #expect(session.tally.counts[ContactCounts.paid] == 1)
    }

    @Test func aNoAtTheReadBackPlacesNothingAndKeepsTheCart() async throws {
        let shop = try DialogFixture()
        defer { shop.remove() }
        var session = try await shop.session(try await shop.device())
        _ = await session.orderAndCheckOut()

        let replies = await session.say(.no)

        #expect(replies.said == [.orderNotPlaced])
        #expect(try await shop.orders().isEmpty)
        #expect(session.cart.lines.map(\.productId) == ["latte"])
    }

    @Test func theSameOrderPlacedElsewhereWhileThisOneWasReadBackAsksForASecondYes() async throws {
        let shop = try DialogFixture()
        defer { shop.remove() }
        let device = try await shop.device()
        var kitchen = try await shop.session(device)
        var hall = try await shop.session(device)
        _ = await kitchen.orderAndCheckOut()
        // The same latte is read back in the hall after the kitchen's read-back, and placed first.
        _ = await hall.orderAndCheckOut()
        _ = await hall.say(.yes)

        let replies = await kitchen.say(.yes)

        #expect(replies.said == [.sameOrderAgain(minutesAgo: 0)], "the placing transaction found the repeat: \(replies)")
        #expect(try await shop.orders().count == 1)
        #expect(kitchen.question == .repeatOrder)
        _ = await kitchen.say(.yes)
        #expect(try await shop.orders().count == 2, "the second yes places it")
    }

    @Test func anOrderOverTheDailyLimitIsRefusedAtTheReadBackAndAgainAsItIsWritten() async throws {
        let shop = try DialogFixture()
        defer { shop.remove() }
        let device = try await shop.device(dailyLimit: 1_000)
        var session = try await shop.session(device)
        let refused = await session.orderAndCheckOut(quantity: 3)
        #expect(refused.said == [.refusal(.overDailyLimit(left: Money(minorUnits: 1_000, currency: "USD")))])

        // Within the limit at the read-back; another session of the device spends first.
        var other = try await shop.session(device)
        _ = await session.say(.removeItem)
        _ = await session.orderAndCheckOut("mocha")
        _ = await other.orderAndCheckOut("latte", quantity: 2)
        _ = await other.say(.yes)
        let replies = await session.say(.yes)

        #expect(replies.said == [.refusal(.overDailyLimit(left: Money(minorUnits: 150, currency: "USD")))], "\(replies)")
        #expect(try await shop.orders().map(\.totalMinorUnits) == [850])
        #expect(session.tally.counts[ContactCounts.refused("over_daily_limit")] == 2)
    }

    @Test func aPINProtectedDeviceOrdersOnlyWithTheRightPIN() async throws {
        let shop = try DialogFixture()
        defer { shop.remove() }
        var session = try await shop.session(try await shop.device(pinRequired: true))
        _ = await session.orderAndCheckOut()
        let askPIN = await session.say(.yes)
        #expect(askPIN.said == [.askPIN] && session.state == .pin)

        let wrong = await session.say(.pinDigits, ["digit1": "9", "digit2": "9", "digit3": "9", "digit4": "9"])
        #expect(wrong.said == [.wrongPIN(attemptsLeft: 2)])
        #expect(try await shop.orders().isEmpty)
        #expect(session.tally.counts[ContactCounts.pinFailed] == 1)

        _ = await session.say(.checkout)
        _ = await session.say(.yes)
        let right = await session.say(.pinDigits, ["digit1": "1", "digit2": "2", "digit3": "3", "digit4": "4"])
        #expect(right.said.count == 1 && right.said.first?.text.hasPrefix("Your order is placed") == true, "\(right.said)")
        #expect(try await shop.orders().map(\.status) == [.paid])
    }

    @Test func aCartPlacedFromAnotherSessionOfTheConversationIsNotPlacedTwice() async throws {
        let shop = try DialogFixture()
        defer { shop.remove() }
        let device = try await shop.device()
        var speaker = try await shop.session(device)
        _ = await speaker.say(.orderDrink, ["coffeeDrink": "latte"])
        var phone = try await shop.session(device, resuming: try #require(speaker.conversation?.id))
        _ = await speaker.say(.checkout)
        _ = await phone.say(.checkout)
        _ = await phone.say(.yes)

        let replies = await speaker.say(.yes)

        #expect(replies.said == [.alreadyPlacedElsewhere], "\(replies)")
        #expect(try await shop.orders().count == 1)
    }

    @Test func aDeclinedCardLeavesTheOrderCancelledAndTheCartKept() async throws {
        let shop = try DialogFixture(card: "pm_card_chargeDeclined")
        defer { shop.remove() }
        var session = try await shop.session(try await shop.device())
        _ = await session.orderAndCheckOut()

        let replies = await session.say(.yes)

        #expect(replies.said == [.paymentFailed(.declined)])
        #expect(try await shop.orders().map(\.status) == [.cancelled])
        #expect(session.cart.lines.map(\.productId) == ["latte"], "the customer can try again")
        #expect(session.tally.counts[ContactCounts.paymentFailed] == 1)
    }

    @Test func aRefusedRefundLeavesThePaidOrderAsItIsAndSaysSo() async throws {
        let gateway = RefundRefusingGateway()
        let shop = try DialogFixture(gateway: gateway)
        defer { shop.remove() }
        var session = try await shop.session(try await shop.device())
        _ = await session.orderAndCheckOut()
        _ = await session.say(.yes)
        let order = try #require(try await shop.orders().first)

        _ = await session.say(.cancelOrder)
        let replies = await session.say(.yes)

        #expect(replies.said == [.refundFailedOrderKept])
        #expect(try await shop.orders().map(\.status) == [.paid], "not cancelled while its money was not refunded")
        let refunds = try await shop.stores.shop.orders.payments(orderId: order.id).filter { $0.kind == .refund }
        #expect(refunds.map(\.outcome) == ["unknown_payment"], "the refused refund is on record")
        #expect(session.tally.counts[ContactCounts.cancelled] == nil)
    }

    @Test func askingForAPersonHandsOverWithTheConversation() async throws {
        let shop = try DialogFixture()
        defer { shop.remove() }
        var session = try await shop.session(try await shop.device())

        let replies = await session.say(.speakToPerson)

        #expect(replies.handsOver)
        #expect(replies.contains(.handOver(conversationId: try #require(session.conversation?.id))))
        #expect(replies.said == [.handOver])
    }
}

/// The sandbox, except that it refuses every refund.
private final class RefundRefusingGateway: PaymentGateway {
    let sandbox = SandboxPaymentGateway()

    func authorize(_ amount: Money, paymentMethod: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        try await sandbox.authorize(amount, paymentMethod: paymentMethod, idempotencyKey: idempotencyKey)
    }

    func capture(authorizationId: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        try await sandbox.capture(authorizationId: authorizationId, idempotencyKey: idempotencyKey)
    }

    func refund(captureId: String, amount: Money, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        throw PaymentError(.unknownPayment, "the provider is not answering refunds")
    }
}
