import ArgumentParser
import Foundation
import Server
import Simulators

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct BenchFloodCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flood",
        abstract: "Half-open and slow connections against a running server: does a device still get through, does the server stay up?",
        discussion: """
            Opens --connections connections that each send half a request head and then nothing
            (a few of them, --drip, send one more header byte every --drip-interval seconds), holds
            them for --hold, and meanwhile opens one ordinary device session a second ("what is in
            my cart") and asks /healthz. Reports how long the sessions took (connect, upgrade,
            answer), how many of the flood's connections the server closed, and its own figures
            from /metrics. Only for a server on this machine (loopback).
            Example (the figures in docs/performance.md):
              talkshop bench flood --token T --connections 5000 --drip 300 --hold 30s
            """)

    @Option(help: "The server's voice endpoint (on this machine).")
    var url = "ws://127.0.0.1:8080/v1/voice"

    @Option(help: "A device token for the ordinary sessions (the demo token printed at first start).")
    var token: String

    @Option(help: "Half-open connections to hold.")
    var connections = 2_000

    @Option(help: "How many of them drip a header byte every --drip-interval seconds instead of staying silent.")
    var drip = 0

    @Option(help: "Seconds between the dripping connections' bytes.")
    var dripInterval = 3.0

    @Option(help: "How long to hold the flood: 30s, 2m or plain seconds.")
    var hold = "30s"

    func validate() throws {
        guard connections > 0, drip >= 0, drip <= connections, dripInterval > 0 else {
            throw ValidationError("--connections must be positive, --drip within 0…--connections, --drip-interval positive")
        }
        _ = try LoadPlan.seconds(hold)
    }

    func run() async throws {
        guard let components = URLComponents(string: url), let port = components.port else {
            throw ValidationError("--url needs a port, e.g. ws://127.0.0.1:8080/v1/voice")
        }
        let host = components.host == "localhost" ? "127.0.0.1" : components.host ?? "127.0.0.1"
        guard host.hasPrefix("127.") else { throw ValidationError("a flood is only sent to this machine: use a 127.x.x.x address") }
        OpenFileLimit.raise()

        Console.line("flood: opening \(connections) half-open connections to \(host):\(port)…")
        var flood: [RawConnection] = []
        var refused = 0, failingInARow = 0
        for index in 0..<connections {
            do {
                let connection = try RawConnection(port: port, host: host, timeout: 2)
                connection.send("GET /v1/voice HTTP/1.1\r\nHost: \(host)\r\n")
                flood.append(connection)
                failingInARow = 0
            } catch {
                refused += 1
                failingInARow += 1
                // The server no longer accepts at all: more attempts would only wait.
                if failingInARow == 10 {
                    Console.line("flood: the server stopped accepting after \(flood.count) connections")
                    break
                }
            }
            if (index + 1) % 1_000 == 0 { Console.progress("  \(index + 1) opened") }
        }
        Console.line("flood: \(flood.count) connected, \(refused) could not connect")

        let dripping = Array(flood.prefix(drip))
        let dripper = Task {
            while !Task.isCancelled {
                for connection in dripping { connection.send("X") }
                try? await Task.sleep(for: .milliseconds(Int(dripInterval * 1_000)))
            }
        }
        defer { dripper.cancel() }

        let end = ContinuousClock.now + .milliseconds(Int(try LoadPlan.seconds(hold) * 1_000))
        var answers: [Duration] = [], failures: [String] = [], healthy = 0, checks = 0
        while ContinuousClock.now < end {
            let started = ContinuousClock.now
            do {
                var client = VoiceClient(url: url, token: token, fast: true)
                client.resultTimeout = .seconds(10)
                let events = try await client.run([.start(.init(codec: .opus)), .text("what is in my cart"), .awaitResult, .stop])
                if events.contains(where: { if case .prompt = $0 { true } else { false } }) {
                    answers.append(ContinuousClock.now - started)
                } else {
                    failures.append("no prompt: \(events.map { "\($0)" }.joined(separator: ", "))")
                }
            } catch {
                failures.append("\(error)")
            }
            checks += 1
            if healthAnswers(host: host, port: port) { healthy += 1 }
            try await Task.sleep(until: started + .seconds(1))
        }

        let closed = flood.filter { $0.isClosedByServer(within: 0) }.count
        let closedDripping = dripping.filter { $0.isClosedByServer(within: 0) }.count
        let sorted = answers.sorted()
        func ms(_ duration: Duration?) -> String { duration.map { String(format: "%.0f ms", $0.seconds * 1_000) } ?? "–" }
        Console.line("during \(hold): \(answers.count) of \(checks) device sessions answered"
            + " (connect + upgrade + answer: p50 \(ms(sorted.isEmpty ? nil : sorted[sorted.count / 2])), max \(ms(sorted.last)))"
            + ", /healthz \(healthy) of \(checks)")
        for failure in Set(failures).sorted() { Console.line("  session failed: \(failure)") }
        Console.line("the server closed \(closed) of the flood's \(flood.count) connections (\(closedDripping) of \(dripping.count) dripping ones)")
        let alive = healthAnswers(host: host, port: port)
        Console.line("server alive after the flood: \(alive ? "yes" : "NO")")
        if let metrics = try? await serverFigures(host: host, port: port) {
            Console.line("server's figures: \(metrics)")
        }
        if !alive || !failures.isEmpty { throw ExitCode(1) }
    }

    /// Whether /healthz answers 200 within seconds (false when the server does not even accept).
    private func healthAnswers(host: String, port: Int) -> Bool {
        guard let connection = try? RawConnection(port: port, host: host) else { return false }
        connection.send("GET /healthz HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n")
        return connection.readAll(within: 10).hasPrefix("HTTP/1.1 200")
    }

    /// The connection figures from /metrics.
    private func serverFigures(host: String, port: Int) async throws -> String {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "http://\(host):\(port)/metrics")!)
        let wanted = [
            "talkshop_connections_open", "talkshop_connections_unauthenticated", "talkshop_connections_closed_total",
            "talkshop_accept_paused_total", "process_open_fds",
        ]
        return String(decoding: data, as: UTF8.self).split(separator: "\n")
            .filter { line in !line.hasPrefix("#") && wanted.contains { line.hasPrefix($0) } }
            .joined(separator: ", ")
    }
}
