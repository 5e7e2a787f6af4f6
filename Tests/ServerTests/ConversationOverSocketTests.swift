import Commerce
import Foundation
import Server
import Simulators
import Store
import TalkshopTesting
import Testing
import VoiceProtocol

/// Whole orders over a live socket: add, read back, confirm, pay, deliver; and the paths that
/// place nothing.
@Suite(.serialized) struct ConversationOverSocketTests {
    static func placed(_ events: [ServerEvent]) -> [String] {
        events.compactMap { if case .order(let id, "placed", _) = $0 { id } else { nil } }
    }

    static func prompts(_ events: [ServerEvent]) -> [String] {
        events.compactMap { if case .prompt(let text, _) = $0 { text } else { nil } }
    }

    static func statuses(_ events: [ServerEvent], of orderId: String) -> [String] {
        events.compactMap { if case .order(orderId, let status, _) = $0 { status } else { nil } }
    }

    @Test func aSpokenOrderIsPlacedPaidAndTrackedToDeliveredWithUpdatesAtTheDevice() async throws {
        try await TestServer.with(clock: ManualClock()) { server in  // no answer window runs out on a busy machine
            let (start, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            let (_, yes) = try VoiceClient.frames(for: TestServer.fixture("yes.opus"))
            let stockBefore = try server.catalog.catalog().product("latte")!.stock
            let events = try await server.client().run([
                .start(start),
                .audio(latte), .endOfSpeech, .awaitResult,  // "i would like a large latte"
                .text("check out"), .awaitResult,
                .audio(yes), .endOfSpeech, .awaitResult,  // a spoken "yes", heard with the confirmation grammar
                .awaitEvent { $0 == .notice(text: "Your order has been delivered. Enjoy!") },  // the sandbox courier takes 0.3 s
                .stop,
            ])
            #expect(Self.prompts(events).contains("Your cart: 1 latte (large), USD 4.75. Total USD 4.75. Shall I place the order?"))
            #expect(events.contains(.listening(state: "confirmation")))
            let placed = Self.placed(events)
            try #require(placed.count == 1)
            let id = placed[0]
            #expect(Self.statuses(events, of: id) == ["placed", "paid", "preparing", "out_for_delivery", "delivered"])
            #expect(events.contains(.notice(text: "Your order is out for delivery.")))
            #expect(events.contains(.notice(text: "Your order has been delivered. Enjoy!")))

            let stored = try #require(try server.orders.order(id))
            #expect(stored.status == .delivered && stored.totalMinorUnits == 475 && stored.customerId == "customer-1")
            #expect(stored.trackingNumber?.hasPrefix("TS") == true)
            #expect(try server.orders.payments(orderId: id).map(\.kind) == [.authorize, .capture])
            #expect(try server.catalog.catalog().product("latte")!.stock == stockBefore - 1)
        }
    }

    @Test func noAnotherPhraseOrSilencePastTheWindowPlacesNothing() async throws {
        let clock = ManualClock()
        try await TestServer.with(clock: clock) { server in
            for answer in ["no", "a small mocha", "what is in my cart"] {
                let events = try await server.client().run([
                    .start(.init(codec: .opus)),
                    .text("i want a small mocha"), .awaitResult,
                    .text("check out"), .awaitResult,
                    .text(answer), .awaitResult,
                    .stop,
                ])
                #expect(Self.placed(events).isEmpty, "\(answer)")
            }
            let late = try await server.client().run([
                .start(.init(codec: .opus)),
                .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult,
                .perform { clock.advance(by: 9) },  // past the 8 s window
                .text("yes"), .awaitResult, .stop,
            ])
            #expect(Self.placed(late).isEmpty)
            #expect(Self.prompts(late).contains("I didn't hear a yes, so I haven't placed the order. Your cart is kept."))
            #expect(try server.orders.all().isEmpty)
        }
    }

    @Test func aMissingSizeIsAskedFor() async throws {
        try await TestServer.with { server in
            let events = try await server.client().run([
                .start(.init(codec: .opus)), .text("can i get a latte with soy milk"), .awaitResult, .text("large please"), .awaitResult,
                .text("what is in my cart"), .awaitResult, .stop,
            ])
            #expect(Self.prompts(events).contains("What size would you like your latte?"))
            #expect(Self.prompts(events).contains("Your cart: 1 latte (soy milk, large), USD 4.75. Total USD 4.75."))
        }
    }

    @Test func thePINIsAskedCheckedAndNeverEchoedOrStored() async throws {
        try await TestServer.with { server in
            let token = try server.addCustomer("pin-customer", pinRequired: true)
            let events = try await server.client(token).run([
                .start(.init(codec: .opus)),
                .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult, .text("yes"), .awaitResult,
                .text("one two three five"), .awaitResult,  // wrong
                .text("check out"), .awaitResult, .text("yes"), .awaitResult,
                .text("my pin is one two three four"), .awaitResult,
                .stop,
            ])
            #expect(events.contains(.listening(state: "pin")))
            #expect(Self.prompts(events).contains("That PIN isn't right, so I haven't placed the order. 2 attempts left."))
            #expect(Self.placed(events).count == 1)
            let wire = events.map { String(decoding: try! VoiceProtocol.encoder.encode($0), as: UTF8.self) }.joined()
            #expect(!wire.contains("one two three") && !wire.contains("1234") && !wire.contains("1235"))
            let conversation = try #require(events.compactMap { if case .ready(_, let id, _) = $0 { id } else { nil } }.first)
            await server.services.turns.flush()
            let turns = try server.recorder.turns(conversationId: conversation)
            #expect(turns.filter { $0.outcome.contains("pin withheld") }.count == 2)
            #expect(!turns.contains { ($0.transcript ?? "").contains("three") })
            #expect(turns.filter { $0.transcript?.contains("mocha") == true }.count == 1, "other turns keep their words")
        }
    }

    /// A store that cannot write while the PIN is checked: the customer hears that something
    /// went wrong on our side, not that their account has no PIN, and nothing is ordered.
    @Test func aStoreFailureDuringThePINCheckIsNotMistakenForAMissingPIN() async throws {
        try await TestServer.with { server in
            let token = try server.addCustomer("pin-customer", pinRequired: true)
            // Reads still work (the PIN is asked for); the check's write fails.
            try await server.services.database.writer.write { db in
                try db.execute(sql: "CREATE TRIGGER refuse_customer_update BEFORE UPDATE ON customer BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END")
            }
            let events = try await server.client(token).run([
                .start(.init(codec: .opus)),
                .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult, .text("yes"), .awaitResult,
                .text("my pin is one two three four"), .awaitResult,
                .stop,
            ])
            #expect(events.contains(.listening(state: "pin")))
            #expect(events.contains(.error(code: .internalError, message: "the PIN could not be checked")))
            #expect(Self.prompts(events).contains("Sorry, something went wrong on our side, so nothing was ordered. Please try again in a moment."))
            #expect(!Self.prompts(events).contains { $0.contains("no PIN") })
            #expect(Self.placed(events).isEmpty)
            #expect(try server.orders.all().isEmpty)
        }
    }

    @Test func aDeclinedCardOrASilentProviderCancelsTheOrderAndReturnsTheStock() async throws {
        try await TestServer.with({ $0.paymentTimeoutSeconds = 0.3 }) { server in
            for (customer, method, why) in [
                ("declined", "pm_card_chargeDeclined", "the payment was refused (card declined)"),
                ("timeout", "pm_card_timeout", "the payment provider did not answer"),
            ] {
                let stockBefore = try server.catalog.catalog().product("mocha")!.stock
                let token = try server.addCustomer(customer, paymentMethod: method)
                let events = try await server.client(token).run([
                    .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult,
                    .text("yes"), .awaitResult, .stop,
                ])
                let id = try #require(Self.placed(events).first)
                #expect(Self.statuses(events, of: id) == ["placed", "cancelled"])
                #expect(Self.prompts(events).contains { $0.hasPrefix("Sorry, \(why)") }, "\(Self.prompts(events))")
                #expect(try server.orders.order(id)?.status == .cancelled)
                #expect(try server.catalog.catalog().product("mocha")!.stock == stockBefore)
            }
        }
    }

    @Test func aReplayedStreamOfAConfirmedOrderPlacesNoSecondOrder() async throws {
        try await TestServer.with({ $0.guards.repeatWindowSeconds = 0 }) { server in
            let (start, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            let (_, yes) = try VoiceClient.frames(for: TestServer.fixture("yes.opus"))
            let script: [VoiceClient.Step] = [
                .start(start), .audio(latte), .endOfSpeech, .awaitResult, .text("check out"), .awaitResult,
                .audio(yes), .endOfSpeech, .awaitResult, .stop,
            ]
            #expect(Self.placed(try await server.client().run(script)).count == 1)
            // The repeat window is off here, so only the replay check stands between the
            // captured stream and a second order.
            let replay = try await server.client().run(script)
            #expect(Self.placed(replay).isEmpty, "\(replay)")
            #expect(replay.contains(.rejected(reason: .replayed, transcript: nil)))
            #expect(try server.orders.all().count == 1)
        }
    }

    @Test func theSameOrderAgainSoonNeedsASecondYesAndTheUsualIsReadBack() async throws {
        try await TestServer.with { server in
            let first = try await server.client().run([
                .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult,
                .text("yes"), .awaitResult, .stop,
            ])
            #expect(Self.placed(first).count == 1)
            let once = try await server.client().run([
                .start(.init(codec: .opus)), .text("order the usual"), .awaitResult, .text("yes"), .awaitResult, .stop,
            ])
            #expect(Self.prompts(once).contains("Your usual. Your cart: 1 mocha (small), USD 4.00. Total USD 4.00. Shall I place the order?"))
            #expect(Self.prompts(once).contains { $0.hasPrefix("You ordered exactly this less than a minute ago") })
            #expect(Self.placed(once).isEmpty)
            let twice = try await server.client().run([
                .start(.init(codec: .opus)), .text("order the usual"), .awaitResult, .text("yes"), .awaitResult, .text("yes"), .awaitResult,
                .stop,
            ])
            #expect(Self.placed(twice).count == 1)
        }
    }

    @Test func theSameWordsFromThreeCustomersAtOnceSuppressOrdering() async throws {
        try await TestServer.with { server in
            let (start, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            var viewers: [(token: String, conversation: String)] = []
            for index in 1...3 {
                let token = try server.addCustomer("viewer-\(index)")
                let events = try await server.client(token).run([.start(start), .audio(latte), .endOfSpeech, .awaitResult, .stop])
                let conversation = try #require(events.compactMap { if case .ready(_, let id, _) = $0 { id } else { nil } }.first)
                viewers.append((token, conversation))
            }
            for viewer in viewers {
                var resume = start
                resume.conversationId = viewer.conversation
                let events = try await server.client(viewer.token).run([
                    .start(resume), .text("check out"), .awaitResult, .text("yes"), .awaitResult, .stop,
                ])
                #expect(Self.prompts(events).contains { $0.contains("like a TV advert") }, "\(Self.prompts(events))")
                #expect(Self.placed(events).isEmpty)
            }
            #expect(server.services.metrics.render().contains("talkshop_broadcasts_detected_total 1"))
            // Another customer is not affected.
            let other = try await server.client().run([
                .start(start), .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult, .text("yes"), .awaitResult, .stop,
            ])
            #expect(Self.placed(other).count == 1)
        }
    }

    @Test func aResumedConversationKeepsItsCartButNoPendingConfirmation() async throws {
        try await TestServer.with { server in
            let first = try await server.client().run([
                .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult, .stop,
            ])
            let conversation = try #require(first.compactMap { if case .ready(_, let id, _) = $0 { id } else { nil } }.first)
            let resumed = try await server.client().run([
                .start(.init(codec: .opus, conversationId: conversation)), .text("yes"), .awaitResult,
                .text("what is in my cart"), .awaitResult, .stop,
            ])
            #expect(Self.placed(resumed).isEmpty, "a yes after reconnecting confirms nothing")
            #expect(Self.prompts(resumed).contains("Your cart: 1 mocha (small), USD 4.00. Total USD 4.00."))
        }
    }

    @Test func cancellingByVoiceRefundsAndRestocks() async throws {
        try await TestServer.with({ $0.courier = .init(preparing: 60, outForDelivery: 120, delivered: 180) }) { server in
            let stockBefore = try server.catalog.catalog().product("mocha")!.stock
            let events = try await server.client().run([
                .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult,
                .text("yes"), .awaitResult, .text("cancel my order"), .awaitResult, .text("yes"), .awaitResult, .stop,
            ])
            let id = try #require(Self.placed(events).first)
            #expect(Self.statuses(events, of: id) == ["placed", "paid", "cancelled"])
            #expect(Self.prompts(events).contains("Your order is cancelled. Your USD 4.00 is refunded."))
            #expect(try server.orders.payments(orderId: id).map(\.kind) == [.authorize, .capture, .refund])
            #expect(try server.catalog.catalog().product("mocha")!.stock == stockBefore)
        }
    }

    @Test func theNonCommandClipsPlaceNoOrder() async throws {
        try await TestServer.with { server in
            for name in ["tv-chatter.opus", "negative/pink-noise.opus", "negative/music.opus"] {
                let (start, frames) = try VoiceClient.frames(for: TestServer.fixture(name))
                _ = try await server.client().run([
                    .start(start), .text("i want a large latte"), .awaitResult, .text("check out"), .awaitResult,
                    .audio(frames), .endOfSpeech, .awaitResult, .stop,
                ])
            }
            #expect(try server.orders.all().isEmpty)
        }
    }
}
