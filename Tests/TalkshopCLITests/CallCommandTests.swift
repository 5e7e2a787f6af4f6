import Foundation
import Store
import TalkshopTesting
import Testing

/// `talkshop call` against `talkshop serve`, both as real processes: a whole phone order.
struct CallCommandTests {
    let talkshop = ExternalTool(executable: TestPaths.talkshopBinary)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-call-\(UUID())")

    @Test func theCallerSimulatorCompletesAPhoneOrder() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = ["--data-directory", directory.appendingPathComponent("var").path]
        let added = try await talkshop.runDetached(
            ["customers", "add", "--id", "ann", "--name", "Ann", "--pin", "4711", "--payment-method", "pm_card_visa", "--phone", "+15551234567"] + data)
        #expect(added.status == 0, "\(added.standardError)")
        let line = try await talkshop.runDetached(
            ["devices", "add", "--name", "shop line", "--customer", "ann", "--device-class", "phone", "--daily-limit", "1000000"] + data)
        let token = try #require(line.standardOutput.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("tsk_") }.map(String.init))

        let server = try await ServerProcess(arguments: ["--port", "0", "--log-level", "error"] + data)
        defer { Task { await server.stop() } }
        let voiceURL = try #require(server.url)
        let heard = directory.appendingPathComponent("heard.wav")
        let call = try await talkshop.runDetached([
            "call", "--url", voiceURL.replacingOccurrences(of: "/v1/voice", with: "/v1/twilio"), "--token", token, "--caller", "+15551234567",
            TestPaths.audioFixtures.appendingPathComponent("large-latte.ul").path, "dtmf:1", "dtmf:1", "dtmf:4711", "-o", heard.path, "--latency",
        ])
        #expect(call.status == 0, "\(call.standardOutput) \(call.standardError)")
        #expect(call.standardOutput.contains("caller end of speech → first reply audio, 4 turns"), "\(call.standardOutput)")
        let wav = try WAVFileProbe(heard)
        #expect(wav.seconds > 15, "the greeting, the cart, the read-back, the PIN question and the confirmation: \(wav.seconds) s")

        let orders = try await talkshop.runDetached(["orders", "list"] + data)
        #expect(orders.standardOutput.contains("USD 4.75"), "\(orders.standardOutput)")

        // The served process reports to swift-metrics: Talkshop's own series and Hummingbird's HTTP ones.
        let metricsURL = voiceURL.replacingOccurrences(of: "ws://", with: "http://").replacingOccurrences(of: "/v1/voice", with: "/metrics")
        #expect(await HTTPProbe.status(of: metricsURL.replacingOccurrences(of: "/metrics", with: "/healthz")) == 200)
        let metrics = try #require(await HTTPProbe.body(of: metricsURL))
        #expect(metrics.contains("talkshop_phone_calls_total 1") && metrics.contains("talkshop_orders_total 1"), "\(metrics)")
        #expect(metrics.split(separator: "\n").contains { $0.hasPrefix("hb_requests{") }, "HTTP requests are counted: \(metrics)")
    }
}

/// The length of an 8 kHz 16-bit mono WAV file, from its size.
struct WAVFileProbe {
    var seconds: Double

    init(_ url: URL) throws {
        let size = try Data(contentsOf: url).count
        seconds = Double(size - 44) / 16_000
    }
}
