import AudioCodec
import Foundation
import HTTPTypes
import HummingbirdTesting
import Server
import Simulators
import Store
import TalkshopTesting
import Testing
import VoiceProtocol

/// The device protocol over real sockets.
@Suite(.serialized) struct VoiceProtocolTests {
    @Test func aFullExchange() async throws {
        try await TestServer.with { server in
            let (start, frames) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            let events = try await VoiceClient(url: server.url, token: server.token, fast: true).run([
                .start(start), .audio(frames), .endOfSpeech, .awaitResult,
                .text("can i get a small cappuccino with soy milk"), .awaitResult, .stop,
            ])
            guard case .ready(let sessionId, _, "main")? = events.first else {
                Issue.record("first event was \(String(describing: events.first))")
                return
            }
            #expect(events.contains(.speechStarted))
            let intents = events.compactMap { event -> (String, [String: String])? in
                if case .intent(let name, let slots, _, _) = event { return (name, slots) }
                return nil
            }
            #expect(intents.count == 2)
            #expect(intents.first?.1 == ["size": "large", "coffeeDrink": "latte"])
            #expect(intents.last?.1 == ["size": "small", "coffeeDrink": "cappuccino", "milkAmount": "soy milk"])
            #expect(events.last == .bye(reason: "client_stop"))

            let settled = try await TestServer.eventually { try server.sessions.session(id: sessionId)?.endedAt != nil }
            #expect(settled)
            let record = try #require(try server.sessions.session(id: sessionId))
            #expect(record.endReason == "client_stop" && record.utterances == 2)
            #expect(server.services.metrics.value(of: .intents) == 2)
        }
    }

    @Test func conversationsResumeForTheSameCustomerOnly() async throws {
        try await TestServer.with { server in
            let first = try await VoiceClient(url: server.url, token: server.token).run([.start(.init(codec: .pcmS16le)), .stop])
            guard case .ready(_, let conversationId, _)? = first.first else { throw VoiceClient.Failure(description: "no ready") }
            let resumed = try await VoiceClient(url: server.url, token: server.token).run([
                .start(.init(codec: .opus, conversationId: conversationId)), .stop,
            ])
            #expect(resumed.first.map { if case .ready(_, conversationId, _) = $0 { true } else { false } } == true)

            let (_, otherToken) = try server.devices.register(name: "other", customerId: "customer-2")
            let foreign = try await VoiceClient(url: server.url, token: otherToken).run([
                .start(.init(codec: .opus, conversationId: conversationId)), .stop,
            ])
            #expect(foreign.contains { if case .error(.unknownConversation, _) = $0 { true } else { false } })
        }
    }

    @Test func badTokensAndOriginsGetNoUpgrade() async throws {
        try await TestServer.with({ $0.allowedOrigins = ["https://shop.example"] }) { server in
            let unknown = try await server.client.execute(uri: "/v1/voice", method: .get, headers: [.authorization: "Bearer tsk_nope"])
            #expect(unknown.status == .unauthorized)
            let missing = try await server.client.execute(uri: "/v1/voice", method: .get)
            #expect(missing.status == .unauthorized)
            let origin = try await server.client.execute(
                uri: "/v1/voice", method: .get, headers: [.authorization: "Bearer \(server.token)", .origin: "https://evil.example"])
            #expect(origin.status == .forbidden)

            try server.devices.revoke(deviceId: server.deviceId)
            let revoked = try await server.client.execute(uri: "/v1/voice", method: .get, headers: [.authorization: "Bearer \(server.token)"])
            #expect(revoked.status == .unauthorized)
            await #expect(throws: (any Error).self) {
                try await VoiceClient(url: server.url, token: server.token).run([.stop])
            }
        }
    }

    @Test func badInputGetsTypedErrorsAndTheSessionGoesOn() async throws {
        try await TestServer.with { server in
            let (start, frames) = try VoiceClient.frames(for: TestServer.fixture("yes.opus"))
            let events = try await VoiceClient(url: server.url, token: server.token, fast: true).run([
                .audio([([0xF8, 0x00], 0.02)]), .awaitResult,  // binary before start
                .raw("{not json"), .awaitResult,
                .raw(#"{"type":"dance"}"#), .awaitResult,
                .raw(#"{"type":"start"}"#), .awaitResult,  // missing codec
                .start(start),
                .audio([([0xFB, 0x03, 1, 2, 3, 4], 0.02)]), .awaitResult,  // Opus packet breaking RFC 6716 R6
                .audio(frames), .endOfSpeech, .awaitResult,
                .stop,
            ])
            let errors = events.compactMap { event -> ServerEvent.ErrorCode? in
                if case .error(let code, _) = event { return code }
                return nil
            }
            #expect(errors == [.notStarted, .badMessage, .badMessage, .badMessage, .badAudio])
            #expect(events.contains { if case .intent(_, _, _, _) = $0 { true } else { false } } || events.contains {
                if case .rejected = $0 { true } else { false }
            })
            #expect(events.last == .bye(reason: "client_stop"))
        }
    }

    @Test func aBadFieldIsNamedInTheError() async throws {
        try await TestServer.with { server in
            let events = try await VoiceClient(url: server.url, token: server.token, fast: true).run([
                .raw(#"{"type":"start","codec":"pcm-s16le","sample_rate":16000.5}"#), .awaitResult,
                .raw(#"{"type":"start","codec":"pcm-s16le","channels":"two"}"#), .awaitResult,
                .raw(#"{"type":"start"}"#), .awaitResult,
                .raw(#"{"type":"start","codec":"pcm"#), .awaitResult,
                .stop,
            ])
            let messages = events.compactMap { if case .error(.badMessage, let message) = $0 { message } else { nil } }
            #expect(messages == [
                "not a valid message: 'sample_rate' must be a whole number, not 16000.5",
                "not a valid message: 'channels' must be a whole number",
                "not a valid message: missing field 'codec'",
                "not a valid message: not JSON",
            ])
        }
    }

    @Test func anOversizeFrameClosesTheConnection() async throws {
        try await TestServer.with({ $0.limits.maxMessageBytes = 4_096 }) { server in
            let events = try? await VoiceClient(url: server.url, token: server.token).run([
                .start(.init(codec: .pcmS16le)), .audio([([UInt8](repeating: 0, count: 10_000), 0)]), .awaitResult,
            ])
            #expect(events?.contains(.bye(reason: "client_stop")) != true)
            let settled = try await TestServer.eventually { try server.sessions.openSessions().isEmpty }
            #expect(settled)
            #expect(server.openSessions == 0)
        }
    }

    @Test func theSessionAudioLimitIsEnforced() async throws {
        try await TestServer.with({ $0.limits.maxSessionAudioSeconds = 1 }) { server in
            let (start, frames) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            let events = try await VoiceClient(url: server.url, token: server.token, fast: true).run([
                .start(start), .audio(frames), .awaitResult,
            ])
            #expect(events.contains { if case .error(.audioLimit, _) = $0 { true } else { false } })
            #expect(events.last == .bye(reason: "audio_limit"))
        }
    }

    @Test func healthAndMetrics() async throws {
        try await TestServer.with { server in
            let health = try await server.client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            _ = try await VoiceClient(url: server.url, token: server.token).run([.start(.init(codec: .opus)), .text("yes please"), .awaitResult, .stop])
            let metrics = try await server.client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(text.contains("talkshop_sessions_total 1"))
            #expect(text.contains("talkshop_decode_latency_seconds_count"))
        }
    }

    @Test func metricsCountTheAudioReceivedAndTheProcessesCPUAndMemory() async throws {
        try await TestServer.with { server in
            let (start, frames) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            _ = try await VoiceClient(url: server.url, token: server.token, fast: true).run([.start(start), .audio(frames), .endOfSpeech, .awaitResult, .stop])
            let text = String(buffer: try await server.client.execute(uri: "/metrics", method: .get).body)
            func value(_ name: String) -> Double? {
                text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ")[1]) }
            }
            let sent = frames.reduce(0) { $0 + $1.seconds }
            #expect(abs((value("talkshop_audio_seconds_total") ?? 0) - sent) < 0.001, "every second sent was received")
            #expect((value("process_cpu_seconds_total") ?? 0) > 0)
            #expect((value("process_resident_memory_bytes") ?? 0) > 10_000_000)
            #expect((value("process_open_fds") ?? 0) > 0)
        }
    }
}
