import Foundation
import Simulators
import Testing

/// Timeouts and lockouts on an injected clock: time is moved, not waited for, so a busy machine
/// cannot make them pass or fail early. (Answer windows and web tokens: ConversationOverSocketTests,
/// WebPageTests.)
@Suite(.serialized) struct ExpiryTests {
    @Test func aQuietSessionIsClosedOnlyOnceTheIdleTimeoutHasPassed() async throws {
        let clock = ManualClock()
        try await TestServer.with({ $0.limits.idleTimeoutSeconds = 60 }, clock: clock) { server in
            let events = try await server.client().run([
                .start(.init(codec: .opus)),
                .perform { clock.advance(by: 59) },
                .text("what is in my cart"), .awaitResult,  // still open: activity resets the timer
                .perform { clock.advance(by: 61) },
                .awaitEvent { $0 == .bye(reason: "idle_timeout") },
            ])
            #expect(ConversationOverSocketTests.prompts(events).contains("Your cart is empty."))
            #expect(events.last == .bye(reason: "idle_timeout"))
        }
    }

    @Test func aPINLockoutEndsWhenItsTimeHasPassed() async throws {
        let clock = ManualClock()
        // The session would otherwise be idle for the quarter of an hour the clock moves on.
        try await TestServer.with({ $0.limits.idleTimeoutSeconds = 86_400 }, clock: clock) { server in
            let token = try server.addCustomer("pin-customer", pinRequired: true)
            let order: [VoiceClient.Step] = [.text("check out"), .awaitResult, .text("yes"), .awaitResult]
            let wrong: [VoiceClient.Step] = order + [.text("one two three five"), .awaitResult]
            let events = try await server.client(token).run(
                [.start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult] + wrong + wrong + wrong
                    + [.text("check out"), .awaitResult]  // locked: refused at the read-back
                    + [.perform { clock.advance(by: 14 * 60) }, .text("check out"), .awaitResult]  // still locked
                    + [.perform { clock.advance(by: 61) }] + order + [.text("one two three four"), .awaitResult, .stop])
            let prompts = ConversationOverSocketTests.prompts(events)
            #expect(prompts.contains("That PIN isn't right. PIN entry is now locked for a while; nothing was ordered."))
            #expect(prompts.filter { $0 == "PIN entry is locked after too many wrong attempts. Please try again later." }.count == 2)
            #expect(ConversationOverSocketTests.placed(events).count == 1, "the right PIN works once the 15 minutes have passed")
        }
    }
}
