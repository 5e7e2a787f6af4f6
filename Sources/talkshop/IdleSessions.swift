import Foundation
import HummingbirdWSClient
import Logging
import Simulators
import Synchronization

/// Sessions that start and then stay silent, held open during a load run: what a shop's
/// speakers look like between orders. Reports the server memory they cost.
final class IdleSessions: Sendable {
    let count: Int
    let bytesBefore: Double
    let bytesAfter: Double
    /// Opened to let the sessions say stop and close.
    private let gate: Gate

    private init(count: Int, bytesBefore: Double, bytesAfter: Double, gate: Gate) {
        self.count = count
        self.bytesBefore = bytesBefore
        self.bytesAfter = bytesAfter
        self.gate = gate
    }

    var summary: String {
        String(
            format: "%d idle sessions held open: server RSS %.1f → %.1f MB, %.0f KB per idle session", count, bytesBefore / 1_048_576,
            bytesAfter / 1_048_576, (bytesAfter - bytesBefore) / Double(count) / 1_024)
    }

    static func open(_ count: Int, plan: LoadPlan) async throws -> IdleSessions {
        let before = try await plan.probe.sample().residentBytes
        let opened = OpenCount()
        let gate = Gate()
        for _ in 0..<count {
            Task {
                do {
                    try await hold(plan: plan, gate: gate) { opened.state.withLock { $0.ready += 1 } }
                } catch {
                    opened.state.withLock { $0.failures.append("\(error)") }
                }
            }
        }
        while true {
            let (ready, failures) = opened.state.withLock { ($0.ready, $0.failures) }
            if let failure = failures.first {
                gate.open()
                throw LoadFailure(description: "\(failures.count) idle sessions failed to open: \(failure)")
            }
            FileHandle.standardError.write(Data("\ridle sessions: \(ready)/\(count)".utf8))
            if ready == count { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        FileHandle.standardError.write(Data("\n".utf8))
        try await Task.sleep(for: .seconds(1))
        let after = try await plan.probe.sample().residentBytes
        let sessions = IdleSessions(count: count, bytesBefore: before, bytesAfter: after, gate: gate)
        Console.line(sessions.summary)
        return sessions
    }

    func close() {
        gate.open()
    }

    /// How many sessions are open, and why any failed.
    private final class OpenCount: Sendable {
        let state = Mutex((ready: 0, failures: [String]()))
    }

    private static func hold(plan: LoadPlan, gate: Gate, ready: @escaping @Sendable () -> Void) async throws {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 16)
        configuration.additionalHeaders[.authorization] = "Bearer \(plan.token)"
        try await WebSocketClient.connect(url: plan.url, configuration: configuration, logger: Logger(label: "talkshop.idle")) {
            inbound, outbound, _ in
            try await outbound.write(.text(VoiceClient.json(.start(.init(codec: .opus, sampleRate: 16_000, channels: 1)))))
            var messages = inbound.messages(maxSize: 1 << 16).makeAsyncIterator()
            while let message = try await messages.next() {
                guard case .text(let text) = message else { continue }
                if text.contains("\"listening\"") { break }
                if text.contains("\"error\"") { throw LoadFailure(description: text) }
            }
            ready()
            await gate.wait()
            try await outbound.write(.text(VoiceClient.json(.stop)))
        }
    }
}

/// A one-time signal many tasks can wait for.
final class Gate: Sendable {
    private let state = Mutex((open: false, waiters: [CheckedContinuation<Void, Never>]()))

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }
}
