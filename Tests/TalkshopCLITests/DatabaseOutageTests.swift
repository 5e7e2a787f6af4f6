import Foundation
import PostgresStore
import Simulators
import Synchronization
import TalkshopTesting
import Testing
import VoiceProtocol

/// PostgreSQL stopped under a running node. It once left a "yes" unanswered until the database
/// came back (then answered "I didn't hear a yes"), new connections hanging, and `/healthz`
/// saying ok throughout, so the proxy kept sending customers to a node that could not serve
/// them. Now: the customer is told at once that nothing can be ordered, `/readyz` says 503
/// while `/healthz` stays 200, and the node serves again when the database is back, unrestarted.
@Suite(.serialized) struct DatabaseOutageTests {
    static func prompt(containing words: String) -> @Sendable (ServerEvent) -> Bool {
        { if case .prompt(let text, _) = $0 { text.contains(words) } else { false } }
    }

    static func eventually(_ url: String, is status: Int) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if await HTTPProbe.status(of: url) == status { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL installed"))
    func aNodeWhoseDatabaseStopsSaysSoAtOnceAndServesAgainWithoutARestart() async throws {
        let postgres = try PrivatePostgres()
        defer { postgres.remove() }
        let token = try await TestPostgres.shopWithADevice(at: try PostgresLocation(url: postgres.url), customerId: "c1")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-outage-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("talkshop.yaml")
        // A long answer window: the test is about the database, not about how fast this machine is.
        try "port: 0\ndecoderPoolSize: 1\nguards: {confirmationWindowSeconds: 300, repeatWindowSeconds: 0}\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let node = try await ServerProcess(arguments: [
            "--config", config.path, "--data-directory", directory.appendingPathComponent("var").path, "--database", postgres.url,
            "--log-level", "error",
        ], environment: ServerProcess.sharedKeyEnvironment)
        defer { Task { await node.stop() } }
        let base = "http://" + (try #require(node.hostAndPort))
        #expect(await HTTPProbe.status(of: base + "/readyz") == 200)

        let answered = Mutex<Duration?>(nil)
        let saidYes = Mutex(ContinuousClock.now)
        let readiness = Mutex<[String]>([])
        let events = try await VoiceClient(url: try #require(node.url), token: token, fast: true).run([
            .start(.init(codec: .opus)),
            .text("i would like a large latte"), .awaitResult,
            .text("check out"), .awaitEvent(Self.prompt(containing: "Shall I place the order?")),
            .perform {
                try postgres.stop()
                // A first store call finds it gone; the probe marks the node not ready.
                let notReady = await Self.eventually(base + "/readyz", is: 503)
                let live = await HTTPProbe.status(of: base + "/healthz")
                readiness.withLock { $0.append("down: readyz 503 \(notReady), healthz \(live ?? 0)") }
                saidYes.withLock { $0 = .now }
            },
            .text("yes"),
            .awaitEvent(Self.prompt(containing: "I can't take orders right now")),
            .perform {
                answered.withLock { $0 = ContinuousClock.now - saidYes.withLock { $0 } }
                try postgres.start()
                let ready = await Self.eventually(base + "/readyz", is: 200)
                readiness.withLock { $0.append("up: readyz 200 \(ready)") }
            },
            .text("check out"), .awaitEvent(Self.prompt(containing: "Shall I place the order?")),
            .text("yes"), .awaitEvent { if case .order(_, "paid", _) = $0 { true } else { false } },
            .stop,
        ])
        #expect(readiness.withLock { $0 } == ["down: readyz 503 true, healthz 200", "up: readyz 200 true"])
        let wait = try #require(answered.withLock { $0 })
        print("database outage: the yes answered in \(wait)")
        // The answer window was 300 s: the yes was answered, and truthfully, not timed out.
        #expect(!events.contains { if case .prompt(let text, _) = $0 { text.contains("didn't hear") } else { false } })
        let orders = try await PostgresOrderStorage(database: PostgresConnections(location: try PostgresLocation(url: postgres.url)))
            .all(status: nil, limit: 10)
        #expect(orders.count == 1, "only the order confirmed once the database was back: \(orders.map(\.status))")
    }
}
