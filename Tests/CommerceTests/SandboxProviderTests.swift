import Commerce
import Foundation
import Testing

struct SandboxPaymentGatewayTests {
    let usd = Money(minorUnits: 475, currency: "USD")

    @Test func theSameIdempotencyKeyChargesOnce() async throws {
        let gateway = SandboxPaymentGateway()
        let first = try await gateway.authorize(usd, paymentMethod: "pm_card_visa", idempotencyKey: "o1:authorize")
        let again = try await gateway.authorize(usd, paymentMethod: "pm_card_visa", idempotencyKey: "o1:authorize")
        #expect(first == again)
        let capture = try await gateway.capture(authorizationId: first.id, idempotencyKey: "o1:capture")
        #expect(try await gateway.capture(authorizationId: first.id, idempotencyKey: "o1:capture") == capture)
        #expect(gateway.operationCount == 2)
        // A second capture under a new key finds the authorisation used up.
        await #expect(throws: PaymentError(.unknownPayment, "no open authorisation \(first.id)")) {
            try await gateway.capture(authorizationId: first.id, idempotencyKey: "o1:capture-again")
        }
    }

    @Test func testCardsDeclineAndUnknownMethodsAreRefused() async {
        let gateway = SandboxPaymentGateway()
        for (method, code) in [
            ("pm_card_chargeDeclined", PaymentError.Code.declined), ("pm_card_chargeDeclinedInsufficientFunds", .insufficientFunds),
            ("4242424242424242", .invalidPaymentMethod),
        ] {
            do {
                _ = try await gateway.authorize(usd, paymentMethod: method, idempotencyKey: method)
                Issue.record("\(method) should fail")
            } catch {
                #expect(error.code == code, "\(method)")
            }
        }
    }

    @Test func theTimeoutCardHangsUntilTheCallerGivesUp() async {
        let gateway = SandboxPaymentGateway(hang: .milliseconds(100))
        let started = ContinuousClock.now
        await #expect(throws: PaymentError.self) {
            try await gateway.authorize(usd, paymentMethod: "pm_card_timeout", idempotencyKey: "t")
        }
        #expect(ContinuousClock.now - started >= .milliseconds(100))
    }

    @Test func refundsNeverExceedTheCaptureEvenFromAnotherProcess() async throws {
        let gateway = SandboxPaymentGateway()
        let authorization = try await gateway.authorize(usd, paymentMethod: "pm_card_visa", idempotencyKey: "a")
        let capture = try await gateway.capture(authorizationId: authorization.id, idempotencyKey: "c")
        _ = try await gateway.refund(captureId: capture.id, amount: Money(minorUnits: 300, currency: "USD"), idempotencyKey: "r1")
        await #expect(throws: PaymentError.self) {
            try await gateway.refund(captureId: capture.id, amount: Money(minorUnits: 200, currency: "USD"), idempotencyKey: "r2")
        }
        // A fresh sandbox (the staff CLI, or after a restart) still knows what the capture covered.
        let other = SandboxPaymentGateway()
        #expect(try await other.refund(captureId: capture.id, amount: usd, idempotencyKey: "r3").amount == usd)
        await #expect(throws: PaymentError.self) {
            try await other.refund(captureId: capture.id, amount: Money(minorUnits: 476, currency: "USD"), idempotencyKey: "r4")
        }
    }
}

struct SandboxCourierTests {
    @Test func aDispatchedOrderMovesThroughEveryStepInOrder() async throws {
        let courier = SandboxCourier(schedule: .init(preparing: 0.05, outForDelivery: 0.1, delivered: 0.15))
        let tracking = try await courier.dispatch(orderId: "o1", status: .paid)
        #expect(tracking.hasPrefix("TS"))
        #expect(try await courier.dispatch(orderId: "o1", status: .paid) == tracking, "dispatch is idempotent per order")
        let running = Task { await courier.run() }
        var seen: [OrderStatus] = []
        for await update in courier.updates {
            #expect(update.trackingNumber == tracking)
            seen.append(update.status)
            if update.status == .delivered { break }
        }
        running.cancel()
        #expect(seen == [.preparing, .outForDelivery, .delivered])
    }

    @Test func aResumedDispatchContinuesFromTheCurrentStatus() async throws {
        let courier = SandboxCourier(schedule: .init(preparing: 0.01, outForDelivery: 0.02, delivered: 0.03))
        _ = try await courier.dispatch(orderId: "o2", status: .outForDelivery)
        let running = Task { await courier.run() }
        var iterator = courier.updates.makeAsyncIterator()
        #expect(await iterator.next()?.status == .delivered)
        running.cancel()
    }
}

struct UsualOrderTests {
    func lines(_ product: String, _ quantity: Int = 1) -> [Cart.Line] {
        [Cart.Line(productId: product, quantity: quantity, options: [:], unitPrice: Money(minorUnits: 100, currency: "USD"))]
    }

    @Test func pinnedWinsThenMostFrequentThenMostRecent() {
        let history = [lines("mocha"), lines("latte"), lines("mocha"), lines("latte", 2)]  // newest first
        #expect(UsualOrder.pick(pinned: lines("espresso"), history: history) == lines("espresso"))
        #expect(UsualOrder.pick(pinned: nil, history: history) == lines("mocha"))
        #expect(UsualOrder.pick(pinned: nil, history: [lines("latte"), lines("mocha")]) == lines("latte"), "a tie goes to the newest")
        #expect(UsualOrder.pick(pinned: nil, history: []) == nil)
    }
}
