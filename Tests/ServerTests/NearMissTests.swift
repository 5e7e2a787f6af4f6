import AudioCodec
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import Simulators
import TalkshopTesting
import Testing
import VoiceProtocol

/// A real coffee order ("get me an americano") spoken to the grocery shop lands on "get me an
/// avocado" with a good fit: the near-miss verifier, on by default, rejects it; with no CPU
/// budget left it goes unverified and is accepted, as with verification off.
struct NearMissTests {
    static let americano = TestPaths.coffeeDev.appendingPathComponent("35572354-0df2-473d-84fd-538a6f1a70d6.opus")

    static func spokenToTheGroceryShop(shareOfACore: Double) async throws -> (events: [ServerEvent], checked: Double?, skipped: Double?) {
        try await TestServer.with({ $0.grammar = "grocery"; $0.recognition.nearMissShareOfACore = shareOfACore }) { server in
            let (start, frames) = try VoiceClient.frames(for: AudioFile(bytes: try TestPaths.readBytes(americano), format: .oggOpus))
            let events = try await server.client().run([.start(start), .audio(frames), .endOfSpeech, .awaitResult, .stop])
            let text = String(buffer: try await server.client.execute(uri: "/metrics", method: .get).body)
            func value(_ name: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
            }
            return (events, value("talkshop_near_miss_checks_total"), value("talkshop_near_miss_checks_skipped_total"))
        }
    }

    @Test func theVerifierRejectsANearMissByDefault() async throws {
        let (events, checked, skipped) = try await Self.spokenToTheGroceryShop(shareOfACore: ServerConfiguration().recognition.nearMissShareOfACore)
        #expect(events.contains { if case .rejected(.lowConfidence, _) = $0 { true } else { false } }, "\(events)")
        #expect(!events.contains { if case .intent = $0 { true } else { false } })
        #expect(checked == 1 && (skipped ?? 0) == 0)
    }

    @Test func pastItsBudgetTheNearMissGoesUnverified() async throws {
        let (events, checked, skipped) = try await Self.spokenToTheGroceryShop(shareOfACore: 0)
        #expect(events.contains { if case .intent("addItem", let slots, _, _) = $0 { slots["product"] == "avocado" } else { false } }, "\(events)")
        #expect((checked ?? 0) == 0 && skipped == 1)
    }
}
