import Commerce
import Foundation
import Server
import Simulators
import Store
import Synchronization
import Testing
import VoiceProtocol

/// A node killed during the payment once left an order written that its customer never heard
/// of: "placed" came only with the payment's answer. It now goes out as soon as the order is
/// written, and a resumed conversation tells of an order it was never told.
struct OrderAnnouncementTests {
    /// The sandbox provider, holding every authorisation until the test lets it go.
    final class HeldGateway: PaymentGateway {
        let sandbox = SandboxPaymentGateway()
        private let gate = Mutex<(open: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

        func release() {
            let waiting = gate.withLock { gate in
                gate.open = true
                defer { gate.waiting = [] }
                return gate.waiting
            }
            for continuation in waiting { continuation.resume() }
        }

        func authorize(_ amount: Money, paymentMethod: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
            await withCheckedContinuation { continuation in
                let open = gate.withLock { gate in
                    if !gate.open { gate.waiting.append(continuation) }
                    return gate.open
                }
                if open { continuation.resume() }
            }
            return try await sandbox.authorize(amount, paymentMethod: paymentMethod, idempotencyKey: idempotencyKey)
        }

        func capture(authorizationId: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
            try await sandbox.capture(authorizationId: authorizationId, idempotencyKey: idempotencyKey)
        }

        func refund(captureId: String, amount: Money, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
            try await sandbox.refund(captureId: captureId, amount: amount, idempotencyKey: idempotencyKey)
        }
    }

    static func isOrder(_ status: OrderStatus) -> @Sendable (ServerEvent) -> Bool {
        { if case .order(_, status.rawValue, _) = $0 { true } else { false } }
    }

    @Test func placedIsSaidBeforeThePaymentAnswers() async throws {
        let gateway = HeldGateway()
        try await TestServer.with({ $0.guards.confirmationWindowSeconds = 120 }, gateway: gateway) { server in
            let events = try await server.client().run([
                .start(.init(codec: .opus)),
                .text("i would like a large latte"), .awaitResult,
                .text("check out"), .awaitResult,
                .text("yes"),
                // The payment is still held: only the written order can have been announced.
                .awaitEvent(Self.isOrder(.placed)),
                .perform { gateway.release() },
                .awaitEvent(Self.isOrder(.paid)),
                .stop,
            ])
            let statuses = events.compactMap { if case .order(_, let status, _) = $0 { status } else { nil } }
            #expect(statuses.prefix(2) == ["placed", "paid"], "\(statuses)")
            let order = try #require(try server.orders.all(status: nil).first)  // on its way by now, as the courier goes
            #expect(try server.orders.unannounced(conversationId: order.conversationId ?? "", since: .distantPast).isEmpty)
        }
    }

    @Test func aResumedConversationTellsOfAnOrderItWasNeverTold() async throws {
        try await TestServer.with { server in
            let first = try await server.client().run([.start(.init(codec: .opus)), .stop])
            let conversation = try #require(first.compactMap { if case .ready(_, let id, _) = $0 { id } else { nil } }.first)
            // Written by a node that died before it could say so (as the store has it then).
            let line = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
            let (order, _) = try server.orders.place(OrderPlacement(
                customerId: "customer-1", deviceId: server.deviceId, lines: [line], total: line.total, idempotencyKey: "died-mid-payment",
                source: "session-on-a-dead-node", cart: .init(conversationId: conversation, version: 0)))
            let resumed = try await server.client().run([.start(.init(codec: .opus, conversationId: conversation)), .stop])
            #expect(resumed.contains(.prompt(text: "Your order of 1 latte was placed; it is being paid.", expect: "command")), "\(resumed)")
            #expect(resumed.contains { if case .order(order.id, "placed", _) = $0 { true } else { false } })
            // Told once: the next resumption says nothing of it.
            let again = try await server.client().run([.start(.init(codec: .opus, conversationId: conversation)), .stop])
            #expect(!again.contains { "\($0)".contains("was placed") }, "\(again)")
        }
    }
}
