import Foundation
import Server
import Simulators
import Store
import Synchronization
import Testing
import VoiceProtocol

/// One cart, many sessions: a read-back confirms one version of the conversation's cart, and
/// that version becomes at most one order whichever sessions say yes, at once or in turn. The
/// repeat and spending rules hold across conversations confirming at the same moment.
@Suite(.serialized) struct CrossSessionOrderTests {
    static let alreadyPlaced = "That order was already placed from another device."

    /// Sessions of one customer, each on its own device (a customer's speaker, phone and page).
    static func devices(_ server: TestServer.Context, count: Int) throws -> [String] {
        try (0..<count).map { index in
            index == 0 ? server.token : try server.devices.register(name: "device \(index)", customerId: "customer-1").token
        }
    }

    /// A conversation whose stored cart holds one large iced mocha.
    static func conversationWithAMocha(_ server: TestServer.Context) async throws -> String {
        let events = try await server.client().run([
            .start(.init(codec: .opus)), .text("i want a large iced mocha"), .awaitResult, .stop,
        ])
        return try #require(events.compactMap { if case .ready(_, let id, _) = $0 { id } else { nil } }.first)
    }

    /// A new conversation orders a large iced mocha, checks out, and says yes once every
    /// session sharing `barrier` has heard its read-back.
    static func orderAMochaAndConfirm(together barrier: Barrier) -> [VoiceClient.Step] {
        [
            .start(.init(codec: .opus)),
            .text("i want a large iced mocha"), .awaitResult,
            .text("check out"), .awaitResult,
            .perform { await barrier.arrive() },
            .text("yes"), .awaitResult,
            .stop,
        ]
    }

    static func longWindow(_ configuration: inout ServerConfiguration) {
        // These tests are about concurrency, not the answer window.
        configuration.guards.confirmationWindowSeconds = 120
    }

    @Test(arguments: [2, 4, 8])
    func sessionsOfOneConversationConfirmingAtOncePlaceOneOrder(sessions: Int) async throws {
        try await TestServer.with(Self.longWindow) { server in
            let conversation = try await Self.conversationWithAMocha(server)
            let readBack = Barrier(sessions)
            let results = try await withThrowingTaskGroup(of: [ServerEvent].self) { group in
                for token in try Self.devices(server, count: sessions) {
                    group.addTask {
                        try await server.client(token).run([
                            .start(.init(codec: .opus, conversationId: conversation)),
                            .text("check out"), .awaitResult,
                            .perform { await readBack.arrive() },
                            .text("yes"), .awaitResult,
                            .stop,
                        ])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.allSatisfy { ConversationOverSocketTests.prompts($0).contains { $0.hasPrefix("Your cart: 1 iced mocha (large)") } })
            let placed = results.flatMap(ConversationOverSocketTests.placed)
            #expect(placed.count == 1, "orders placed by \(sessions) sessions confirming at once")
            #expect(try server.orders.all().count == 1)
            let told = results.filter { ConversationOverSocketTests.prompts($0).contains(Self.alreadyPlaced) }
            #expect(told.count == sessions - 1, "every other session is told why nothing was placed")
            #expect(try server.sessions.cart(conversationId: conversation)?.json == nil, "placing emptied the cart")
        }
    }

    @Test(arguments: [2, 4, 8])
    func sessionsOfOneConversationConfirmingInTurnPlaceOneOrder(sessions: Int) async throws {
        try await TestServer.with(Self.longWindow) { server in
            let conversation = try await Self.conversationWithAMocha(server)
            let readBack = Barrier(sessions)
            let turns = Turns()
            let results = try await withThrowingTaskGroup(of: [ServerEvent].self) { group in
                for (index, token) in try Self.devices(server, count: sessions).enumerated() {
                    group.addTask {
                        try await server.client(token).run([
                            .start(.init(codec: .opus, conversationId: conversation)),
                            .text("check out"), .awaitResult,
                            .perform { await readBack.arrive() },
                            .perform { await turns.wait(for: index) },
                            .text("yes"), .awaitResult,
                            .perform { await turns.done() },
                            .stop,
                        ])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.flatMap(ConversationOverSocketTests.placed).count == 1)
            #expect(try server.orders.all().count == 1)
            #expect(results.filter { ConversationOverSocketTests.prompts($0).contains(Self.alreadyPlaced) }.count == sessions - 1)
        }
    }

    @Test func aCartChangedOnAnotherDeviceIsNotPlacedFromAnOldReadBack() async throws {
        try await TestServer.with(Self.longWindow) { server in
            let conversation = try await Self.conversationWithAMocha(server)
            let tokens = try Self.devices(server, count: 2)
            let readBack = Barrier(2), changed = Barrier(2)
            async let reader = server.client(tokens[0]).run([
                .start(.init(codec: .opus, conversationId: conversation)),
                .text("check out"), .awaitResult,
                .perform { await readBack.arrive() }, .perform { await changed.arrive() },
                .text("yes"), .awaitResult, .stop,
            ])
            async let changer = server.client(tokens[1]).run([
                .start(.init(codec: .opus, conversationId: conversation)),
                .perform { await readBack.arrive() },
                .text("i want a small latte"), .awaitResult,
                .perform { await changed.arrive() }, .stop,
            ])
            let (read, _) = try await (reader, changer)
            #expect(ConversationOverSocketTests.placed(read).isEmpty)
            #expect(ConversationOverSocketTests.prompts(read).contains {
                $0.hasPrefix("Your cart changed on another device, so I haven't placed the order. Your cart: 1 iced mocha (large)")
                    && $0.contains("latte (small)")
            })
            #expect(try server.orders.all().isEmpty)
        }
    }

    @Test func twoConversationsOrderingTheSameNeedASecondYesForTheLater() async throws {
        try await TestServer.with(Self.longWindow) { server in
            let tokens = try Self.devices(server, count: 2)
            let readBack = Barrier(2)
            let firstDone = Turns()
            let script: @Sendable (Int) -> [VoiceClient.Step] = { index in
                [
                    .start(.init(codec: .opus)),
                    .text("i want a large iced mocha"), .awaitResult,
                    .text("check out"), .awaitResult,
                    .perform { await readBack.arrive() },
                    .perform { await firstDone.wait(for: index) },
                    .text("yes"), .awaitResult,
                    .perform { await firstDone.done() },
                    .text("yes"), .awaitResult,
                    .stop,
                ]
            }
            async let first = server.client(tokens[0]).run(script(0))
            async let second = server.client(tokens[1]).run(script(1))
            let (earlier, later) = try await (first, second)
            #expect(ConversationOverSocketTests.placed(earlier).count == 1)
            // Both read-backs came before any order, so only the store's check can catch it.
            #expect(ConversationOverSocketTests.prompts(later).contains(
                "You ordered exactly this less than a minute ago. Say yes again to order it a second time."))
            #expect(ConversationOverSocketTests.placed(later).count == 1, "the second yes places it")
            #expect(try server.orders.all().count == 2)
        }
    }

    @Test func twoConversationsConfirmingTheSameAtOnceNeedASecondYesForOne() async throws {
        try await TestServer.with(Self.longWindow) { server in
            let tokens = try Self.devices(server, count: 2)
            let script = Self.orderAMochaAndConfirm(together: Barrier(2))
            async let first = server.client(tokens[0]).run(script)
            async let second = server.client(tokens[1]).run(script)
            let results = try await [first, second]
            #expect(results.flatMap(ConversationOverSocketTests.placed).count == 1)
            #expect(results.filter { ConversationOverSocketTests.prompts($0).contains { $0.hasPrefix("You ordered exactly this") } }.count == 1)
        }
    }

    @Test func theDailyLimitHoldsForSessionsConfirmingAtOnce() async throws {
        try await TestServer.with(Self.longWindow) { server in
            // One device, two sessions: USD 10 a day; each cart is USD 5.25.
            let token = try server.addCustomer("limited", dailyLimit: 1_000)
            let script = Self.orderAMochaAndConfirm(together: Barrier(2))
            async let first = server.client(token).run(script)
            async let second = server.client(token).run(script)
            let results = try await [first, second]
            #expect(results.allSatisfy { ConversationOverSocketTests.prompts($0).contains { $0.hasSuffix("Shall I place the order?") } })
            #expect(results.flatMap(ConversationOverSocketTests.placed).count == 1)
            #expect(results.filter { ConversationOverSocketTests.prompts($0).contains("That would go over this device's daily spending limit; USD 4.75 is left today.") }.count == 1)
        }
    }
}
