import AudioCodec
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HummingbirdWSClient
import Logging
import NIOCore
import Server
import Simulators
import TalkshopTesting
import Testing

/// The try page: served files, short-lived session tokens, and the page itself driven in a
/// real headless Chromium with a fake microphone playing a spoken order. Serialized: the
/// browser takes the machine's CPU, and partial words are best effort by nature.
@Suite(.serialized) struct WebPageTests {
    static func web(_ adjust: @escaping @Sendable (inout WebSettings) -> Void = { _ in }) -> (inout ServerConfiguration) -> Void {
        { configuration in
            configuration.web.directory = TestPaths.repository.appendingPathComponent("web").path
            configuration.web.customer = "customer-1"
            adjust(&configuration.web)
        }
    }

    static func post(_ server: TestServer.Context, token: String? = nil, body: String = "{}") async throws -> AdminAPITests.Reply {
        try await AdminAPITests.call(server, .post, "/v1/web/session", token: token, body: body)
    }

    /// `GET /v1/voice` as a browser's upgrade request would carry the token: the status says
    /// whether the token opens a session.
    static func voiceStatus(_ server: TestServer.Context, webToken: String) async throws -> HTTPResponse.Status {
        try await server.client.execute(
            uri: "/v1/voice", method: .get, headers: [.secWebSocketProtocol: "talkshop.v1, bearer.\(webToken)"]
        ) { $0.status }
    }

    @Test func thePageAndItsFilesAreServedAndNothingElse() async throws {
        try await TestServer.with(Self.web()) { server in
            let root = try await server.client.execute(uri: "/", method: .get) { $0 }
            #expect(root.status == .seeOther && root.headers[.location] == "/try")
            let page = try await server.client.execute(uri: "/try", method: .get) { $0 }
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(String(buffer: page.body).contains("Hold to talk"))
            for (name, type) in [("app.js", "text/javascript"), ("style.css", "text/css"), ("capture-worklet.js", "text/javascript")] {
                let file = try await server.client.execute(uri: "/try/\(name)", method: .get) { $0 }
                #expect(file.status == .ok && file.headers[.contentType]?.hasPrefix(type) == true, "\(name)")
            }
            for path in ["/try/..%2Fpackage.swift", "/try/secret.txt", "/try/index.htm"] {
                #expect(try await server.client.execute(uri: path, method: .get) { $0.status } == .notFound, "\(path)")
            }
        }
        try await TestServer.with(Self.web { $0.page = false }) { server in
            let status = try await server.client.execute(uri: "/try", method: .get) { $0.status }
            #expect(status == .notFound)
        }
    }

    /// `POST /v1/web/session` as a proxy in front of the client would send it.
    static func ask(_ server: TestServer.Context, forwardedFor: String? = nil) async throws -> HTTPResponse.Status {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let forwardedFor { headers[HTTPField.Name("X-Forwarded-For")!] = forwardedFor }
        return try await server.client.execute(uri: "/v1/web/session", method: .post, headers: headers, body: ByteBuffer(string: "{}")) { $0.status }
    }

    /// One client once took all 10,000 demo tokens in 13 s, and everyone else got 429 for five
    /// minutes. Each client address now holds a share at most; behind a trusted proxy, the
    /// address it forwards is the client.
    @Test func oneClientCannotTakeEveryTokenAndATrustedProxyNamesItsClients() async throws {
        let clock = ManualClock()
        try await TestServer.with(Self.web { $0.tokensPerClient = 3 }, clock: clock) { server in
            for _ in 0..<3 { #expect(try await Self.ask(server) == .ok) }
            let refused = try await Self.post(server)
            #expect(refused.status == .tooManyRequests && refused.json["error"] as? String == "too_many_sessions", "\(refused.text)")
            #expect(try await Self.ask(server, forwardedFor: "203.0.113.7") == .tooManyRequests, "from an untrusted peer the header is not believed")
            clock.advance(by: 301)
            #expect(try await Self.ask(server) == .ok, "its expired tokens are its share again")
        }
        try await TestServer.with(Self.web { $0.tokensPerClient = 1; $0.trustedProxies = ["127.0.0.1"] }, clock: clock) { server throws in
            #expect(try await Self.ask(server, forwardedFor: "203.0.113.7") == .ok)
            #expect(try await Self.ask(server, forwardedFor: "203.0.113.7") == .tooManyRequests)
            #expect(try await Self.ask(server, forwardedFor: "203.0.113.8") == .ok, "another client behind the proxy has its own share")
            #expect(try await Self.ask(server, forwardedFor: "198.51.100.1, 203.0.113.7") == .tooManyRequests, "the client's own claim is not its address")
        }
    }

    @Test func aDemoSessionTokenOpensTheVoiceEndpointUntilItExpires() async throws {
        let clock = ManualClock()
        try await TestServer.with(Self.web { $0.tokenSeconds = 300 }, clock: clock) { server in
            let grant = try await Self.post(server)
            #expect(grant.status == .ok, "\(grant.text)")
            let token = try #require(grant.json["token"] as? String)
            #expect(token.hasPrefix("tsw_") && grant.json["customer"] as? String == "customer-1")
            // ISO 8601 (as docs/web.md shows), on the server's clock: not seconds since 2001.
            let expiresAt = try #require(grant.json["expires_at"] as? String)
            #expect(ISO8601DateFormatter().date(from: expiresAt).map { abs($0.timeIntervalSince(clock.now) - 300) < 1 } == true, "\(expiresAt)")
            #expect(try await Self.voiceStatus(server, webToken: token) == .upgradeRequired, "accepted: only the upgrade is missing")
            #expect(try await Self.voiceStatus(server, webToken: "tsw_made_up") == .unauthorized)
            clock.advance(by: 299)
            #expect(try await Self.voiceStatus(server, webToken: token) == .upgradeRequired, "still live a second before it expires")
            clock.advance(by: 2)
            #expect(try await Self.voiceStatus(server, webToken: token) == .unauthorized, "expired")
            #expect(try await AdminAPITests.call(server, .delete, "/v1/web/session", token: token).status == .notFound, "an expired token is not live")

            // The token in the subprotocol list opens a real session, answered with talkshop.v1.
            let fresh = try #require(try await Self.post(server).json["token"] as? String)
            var configuration = WebSocketClientConfiguration()
            configuration.additionalHeaders[.secWebSocketProtocol] = "talkshop.v1, bearer.\(fresh)"
            let ready = Received<String>()
            _ = try await WebSocketClient.connect(url: server.url, configuration: configuration, logger: Logger(label: "test")) { inbound, outbound, _ in
                try await outbound.write(.text(#"{"type":"start","codec":"opus"}"#))
                for try await message in inbound.messages(maxSize: 1 << 16) {
                    if case .text(let text) = message { ready.append(text) }
                    break
                }
            }
            #expect(ready.all.first?.contains(#""type":"ready""#) == true, "\(ready.all)")
            let device = try #require(try server.devices.all().first { $0.deviceClass == "web" })
            #expect(device.customerId == "customer-1")
        }
    }

    @Test func backendAndOffModesDecideWhoGetsATokenForWhom() async throws {
        try await TestServer.with(Self.web { $0.sessions = "backend" }) { server in
            #expect(try await Self.post(server).status == .unauthorized)
            let officer = try server.staff.issue(name: "Olga", role: .officer).token
            #expect(try await Self.post(server, token: officer, body: #"{"customer":"customer-1"}"#).status == .forbidden)
            let backend = try server.staff.issue(name: "shop web", role: .backend).token
            #expect(try await Self.post(server, token: backend, body: "{}").status == .badRequest)
            #expect(try await Self.post(server, token: backend, body: #"{"customer":"nobody"}"#).status == .notFound)
            let grant = try await Self.post(server, token: backend, body: #"{"customer":"customer-1"}"#)
            #expect(grant.status == .ok && grant.json["customer"] as? String == "customer-1", "\(grant.text)")
            // A backend token is not an admin token.
            #expect(try await AdminAPITests.call(server, .get, "/admin/v1/holds", token: backend).status == .forbidden)
        }
        try await TestServer.with(Self.web { $0.sessions = "off" }) { server in
            let status = try await Self.post(server).status
            #expect(status == .notFound)
        }
    }

    @Test func partialWordsAndTheCartAreSentWhenAskedFor() async throws {
        try await TestServer.with(Self.web()) { server in
            let (_, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            // The words so far are checked as audio arrives; on a busy machine the search can lag
            // the audio by a lot. So the last third of the words comes five times slower than
            // spoken (still speech, so the utterance does not end): seconds for the search to
            // catch up and a partial to go out before the end.
            let split = latte.count * 2 / 3
            let slowed = latte[split...].map { (bytes: $0.bytes, seconds: $0.seconds * 5) }
            let events = try await server.client(fast: false).run([
                .start(.init(codec: .opus, partials: true)), .audio(Array(latte[..<split])), .audio(slowed),
                .endOfSpeech, .awaitResult, .pause(.milliseconds(200)), .stop,
            ])
            let partials = events.compactMap { if case .partial(let text) = $0 { text } else { nil } }
            _ = try #require(events.compactMap { if case .transcript(let text) = $0 { text } else { nil } }.first)
            #expect(!partials.isEmpty, "\(events)")
            // Words so far are provisional ("i'd", "i will" … "i would like a large latte"), and under
            // load the last ones sent can be from early in the utterance: their words are not checked.
            #expect(partials.allSatisfy { !$0.isEmpty } && zip(partials, partials.dropFirst()).allSatisfy { $0 != $1 }, "each differs from the one before: \(partials)")
            let cart = try #require(events.compactMap { if case .cart(let lines, let total) = $0 { (lines, total) } else { nil } }.first)
            #expect(cart.0.map(\.product) == ["latte"] && cart.0[0].options == ["large"] && cart.1 == "USD 4.75", "\(cart)")
            let firstPartial = try #require(events.firstIndex { if case .partial = $0 { true } else { false } })
            let transcript = try #require(events.firstIndex { if case .transcript = $0 { true } else { false } })
            #expect(firstPartial < transcript)
        }
    }

    /// A spoken order as the fake microphone plays it: 48 kHz WAV, silence around the words;
    /// and when its words end (the last 20 ms above -40 dBFS), where a person lets go.
    static func speechWAV(in directory: URL) async throws -> (url: URL, wordsEnd: Double) {
        let pcm = try TestServer.fixture("large-latte.opus").decodeToRecognitionPCM()
        // 3 s before the words: the microphone starts playing the file when the page asks for
        // it, and on a busy machine the page's capture can take a second or two to start.
        let padded = [Int16](repeating: 0, count: 48_000) + pcm + [Int16](repeating: 0, count: 16_000)
        let plain = directory.appendingPathComponent("latte-16k.wav"), wav = directory.appendingPathComponent("latte.wav")
        try Data(WAVFile.pcm16(samples: padded, sampleRate: 16_000)).write(to: plain)
        let sox = try await ExternalTool(executable: URL(fileURLWithPath: "/usr/bin/sox")).runDetached([plain.path, "-r", "48000", wav.path])
        #expect(sox.status == 0, "\(sox.standardError)")
        func isLoud(_ frame: ArraySlice<Int16>) -> Bool {
            let energy = frame.reduce(0.0) { sum, sample in sum + Double(sample) * Double(sample) }
            return (energy / Double(frame.count)).squareRoot() > 328
        }
        let loud = Array(stride(from: 0, to: padded.count - 320, by: 320)).last { isLoud(padded[$0..<($0 + 320)]) } ?? 0
        return (wav, Double(loud + 320) / 16_000)
    }

    @Test func aNewcomerOrdersByVoiceAndByTypingInARealBrowser() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-browser-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let speech = try await Self.speechWAV(in: directory)
        // Screenshots of the main states: artifacts of the run, never committed (.build/ is ignored).
        let screenshots = TestPaths.repository.appendingPathComponent(".build/artifacts/try-page")
        try await TestServer.with(Self.web()) { server in
            let page = "http://127.0.0.1:\(server.port)/try"
            let run = try await ExternalTool(executable: URL(fileURLWithPath: "/usr/bin/python3")).runDetached([
                TestPaths.repository.appendingPathComponent("Tests/browser/try_page.py").path, "--url", page, "--speech", speech.url.path,
                // Let go 0.3 s after the words end in the file: sooner than the 0.7 s of
                // silence that would end the utterance by itself.
                "--hold", String(format: "%.2f", speech.wordsEnd + 0.3), "--screenshots", screenshots.path,
            ])
            #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
            let reports = run.standardOutput.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            func report(_ scenario: String) -> [String: Any] { reports.first { $0["scenario"] as? String == scenario } ?? [:] }

            let voice = report("voice")
            #expect(voice["intent"] as? String == "orderDrink", "\(voice)")
            #expect((voice["cart"] as? String)?.lowercased().contains("latte") == true && (voice["cart"] as? String)?.contains("USD 4.75") == true, "\(voice)")
            let latency = try #require(voice["release_to_intent_ms"] as? Int, "\(voice)")
            print("try page: releasing the button → intent shown: \(latency) ms (codec \(voice["codec"] ?? "?"))")
            #expect(latency > 0)
            #expect((report("confirm")["readback"] as? String)?.contains("USD 4.75") == true, "\(report("confirm"))")
            #expect(["paid", "preparing"].contains(report("confirm")["status"] as? String ?? ""), "\(report("confirm"))")
            let resume = report("resume")
            #expect(resume["same_conversation"] as? Bool == true && resume["cart_kept"] as? Bool == true, "\(resume)")
            #expect(resume["notice"] as? String == "Reconnected: your conversation continues.", "\(resume)")
            let chat = report("chat")
            #expect((chat["denied"] as? String)?.contains("Microphone access was denied") == true, "\(chat)")
            #expect(["paid", "preparing"].contains(chat["status"] as? String ?? ""), "\(chat)")
            let pcm = report("pcm")
            #expect(pcm["codec"] as? String == "pcm-s16le" && pcm["intent"] as? String == "orderDrink", "\(pcm)")
            print("try page without WebCodecs: releasing the button → intent shown: \(pcm["release_to_intent_ms"] ?? "?") ms (16 kHz PCM)")
            let placed = try server.orders.orders(customerId: "customer-1")
            #expect(placed.count == 2, "one order by voice, one by typing")
            for name in ["2-recognised", "4-order-placed", "5-microphone-denied", "6-typed-order"] {
                #expect(FileManager.default.fileExists(atPath: screenshots.appendingPathComponent("\(name).png").path), "\(name)")
            }
        }
    }
}
