import Foundation
import Server
import Store
import TalkshopTesting
import Testing

/// A whole order over a live socket: add, read back, confirm; and the paths that place nothing.
@Suite(.serialized) struct ConversationOverSocketTests {
    static func orders(_ events: [ServerEvent]) -> [String] {
        events.compactMap { if case .order(let id, "placed", _) = $0 { id } else { nil } }
    }

    @Test func aConfirmedOrderIsPlacedOnce() async throws {
        try await TestServer.with { server in
            let (start, yes) = try VoiceClient.frames(for: TestServer.fixture("yes.opus"))
            let events = try await VoiceClient(url: server.url, token: server.token, fast: true).run([
                .start(start),
                .text("can i get a large latte with soy milk"), .awaitResult,
                .text("check out"), .awaitResult,
                .audio(yes), .endOfSpeech, .awaitResult,  // a spoken "yes", heard with the confirmation grammar
                .stop,
            ])
            let prompts = events.compactMap { if case .prompt(let text, let expect) = $0 { (text, expect) } else { nil } }
            #expect(prompts.contains { $0.0.hasPrefix("Your cart: 1 latte (soy milk, large), USD 4.25") && $0.1 == "confirmation" })
            #expect(events.contains(.listening(state: "confirmation")))
            let placed = Self.orders(events)
            #expect(placed.count == 1)
            let stored = try server.services.orders.all()
            #expect(stored.map(\.id) == placed)
            #expect(stored.first?.totalMinorUnits == 425 && stored.first?.customerId == "customer-1")
        }
    }

    @Test func noOrSilenceOrAnotherPhrasePlacesNothing() async throws {
        try await TestServer.with { server in
            for answer in ["no", "a small mocha", "what is in my cart"] {
                let events = try await VoiceClient(url: server.url, token: server.token).run([
                    .start(.init(codec: .opus)),
                    .text("i want a mocha"), .awaitResult,
                    .text("check out"), .awaitResult,
                    .text(answer), .awaitResult,
                    .stop,
                ])
                #expect(Self.orders(events).isEmpty, "\(answer)")
            }
            #expect(try server.services.orders.all().isEmpty)
        }
    }

    @Test func theNonCommandClipsPlaceNoOrder() async throws {
        try await TestServer.with { server in
            for name in ["tv-chatter.opus", "negative/pink-noise.opus", "negative/music.opus"] {
                let (start, frames) = try VoiceClient.frames(for: TestServer.fixture(name))
                _ = try await VoiceClient(url: server.url, token: server.token, fast: true).run([
                    .start(start), .text("i want a latte"), .awaitResult, .text("check out"), .awaitResult,
                    .audio(frames), .endOfSpeech, .awaitResult, .stop,
                ])
            }
            #expect(try server.services.orders.all().isEmpty)
        }
    }
}
