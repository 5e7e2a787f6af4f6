import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Simulators
import Synchronization
import VoiceProtocol

/// One simulated speaker in the load benchmark: a `/v1/voice` session that speaks recordings
/// in real time, sends `end_of_speech` where the words end, waits for the result, pauses as a
/// person would, and speaks again until the deadline.
struct LoadStream: Sendable {
    struct Report: Sendable {
        /// end_of_speech → intent/rejected, in microseconds.
        var latencies: [UInt64] = []
        var accepted = 0
        var rejected = 0
        var errors: [String] = []
        /// Accepted with exactly the labelled intent and slots, of the labelled utterances.
        var correct = 0
        var labelled = 0
        /// Each labelled utterance's name and whether it came out right, in order.
        var outcomes: [(name: String, correct: Bool)] = []
        var audioSecondsSent = 0.0
        /// Recordings the server heard as more than one utterance (a long pause inside).
        var splitUtterances = 0
        /// The session ended with the server's `bye`: what the socket does after that is not
        /// the server's doing.
        var finished = false
        /// How far behind its real-time schedule a packet went out, at worst.
        var maxLag: Duration = .zero
    }

    var url: String
    var token: String
    var utterances: [LoadUtterance]
    /// Where in the recording list this stream starts, so streams do not speak in unison.
    var firstUtterance: Int
    var pauses: ClosedRange<Double>
    /// Silence before the first utterance: streams that start spread over one speaking cycle
    /// do not speak in step with each other.
    var startDelay = 0.0
    var resultTimeout: Duration = .seconds(10)
    var seed: UInt64
    /// Send audio in real time (false: as fast as the server reads it).
    var paced = true
    /// Stop after this many utterances, whatever the deadline.
    var limit = Int.max

    func run(until deadline: ContinuousClock.Instant) async -> Report {
        let log = Log()
        do {
            try await session(until: deadline, log: log)
        } catch where !log.report.finished {
            let phase = log.report.latencies.isEmpty ? "before the first result" : "after \(log.report.latencies.count) results"
            log.update { $0.errors.append("\(error) (\(phase))") }
        } catch {
            // After `bye`: the WebSocket client's closing handshake, not a failure of the run.
        }
        return log.report
    }

    private func session(until deadline: ContinuousClock.Instant, log: Log) async throws {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        configuration.additionalHeaders[.authorization] = "Bearer \(token)"
        try await WebSocketClient.connect(url: url, configuration: configuration, logger: Logger(label: "talkshop.load")) {
            inbound, outbound, _ in
            var events = EventQueue()
            let sink = events.sink
            let reader = Task {
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    guard case .text(let text) = message,
                        let event = try? VoiceProtocol.decoder.decode(ServerEvent.self, from: Data(text.utf8))
                    else { continue }
                    sink.yield(.event(event))
                }
                sink.finish()
            }
            defer { reader.cancel() }
            var random = SeededRandom(seed: seed)
            let clock = ContinuousClock()

            try await outbound.write(.text(VoiceClient.json(.start(.init(codec: .opus, sampleRate: 16_000, channels: 1)))))
            try await events.next(within: resultTimeout) { if case .listening = $0 { true } else { false } }
            try await clock.sleep(for: .seconds(startDelay))

            var index = firstUtterance
            while index - firstUtterance < limit {
                let utterance = utterances[index % utterances.count]
                index += 1
                guard clock.now.advanced(by: .seconds(utterance.seconds)) < deadline else { break }
                var due = clock.now
                var worstLag = Duration.zero
                for (packet, seconds) in zip(utterance.packets, utterance.packetSeconds) {
                    if paced { worstLag = max(worstLag, clock.now - due) }
                    try await outbound.write(.binary(ByteBuffer(bytes: packet)))
                    due = due.advanced(by: .seconds(seconds))
                    if paced { try await clock.sleep(until: due) }
                }
                log.update { report in
                    report.audioSecondsSent += utterance.seconds
                    report.maxLag = max(report.maxLag, worstLag)
                }
                try await outbound.write(.text(VoiceClient.json(.endOfSpeech)))
                let ended = clock.now
                // `cancel` is a barrier: the server handles messages in order, so its
                // `listening` comes after every event the utterance caused. A recording with a
                // long pause inside is heard as two utterances; the last result is the one
                // that answers end_of_speech.
                try await outbound.write(.text(VoiceClient.json(.cancel)))
                var (results, listenings) = (0, 0)
                var last: (event: ServerEvent, at: ContinuousClock.Instant)?
                while listenings < results + 1 {
                    let event = try await events.next(within: resultTimeout) { event in
                        switch event {
                        case .intent, .rejected, .error, .bye, .listening: true
                        default: false
                        }
                    }
                    switch event {
                    case .listening: listenings += 1
                    case .bye(let reason): throw LoadFailure(description: "the server ended the session: \(reason)")
                    default:
                        results += 1
                        last = (event, clock.now)
                    }
                }
                guard let last else { throw LoadFailure(description: "no result for \(utterance.name)") }
                log.update { report in
                    report.latencies.append(UInt64(Swift.max(.zero, last.at - ended).seconds * 1_000_000))
                    report.splitUtterances += results > 1 ? 1 : 0
                    Self.score(last.event, of: utterance, into: &report)
                }
                try await clock.sleep(for: .seconds(Double.random(in: pauses, using: &random)))
            }
            try await outbound.write(.text(VoiceClient.json(.stop)))
            try await events.next(within: resultTimeout) { if case .bye = $0 { true } else { false } }
            log.update { $0.finished = true }
        }
    }

    private static func score(_ result: ServerEvent, of utterance: LoadUtterance, into report: inout Report) {
        var correct = false
        defer {
            if utterance.label != nil {
                report.labelled += 1
                report.outcomes.append((utterance.name, correct))
                if correct { report.correct += 1 }
            }
        }
        switch result {
        case .intent(let name, let slots, _, _):
            report.accepted += 1
            correct = utterance.label.map { $0.intent == name && $0.slots == slots } ?? false
        case .rejected: report.rejected += 1
        case .error(let code, let message): report.errors.append("\(code.rawValue): \(message)")
        default: break
        }
    }

    /// The report, shared between the stream and the benchmark's progress line.
    final class Log: Sendable {
        private let state = Synchronization.Mutex(Report())
        var report: Report { state.withLock { $0 } }
        func update(_ change: (inout Report) -> Void) { state.withLock { change(&$0) } }
    }
}

/// Server events as they arrive, read with a time limit: a timer puts a marker in the same
/// queue, so waiting needs no second task reading the stream.
private struct EventQueue {
    enum Item { case event(ServerEvent), timeout(Int) }
    let sink: AsyncStream<Item>.Continuation
    private var items: AsyncStream<Item>.Iterator
    private var waits = 0

    init() {
        let (stream, sink) = AsyncStream.makeStream(of: Item.self)
        self.sink = sink
        items = stream.makeAsyncIterator()
    }

    /// Reads events until one matches; fails on a timeout, an error event or a closed connection.
    @discardableResult
    mutating func next(within timeout: Duration, where matches: (ServerEvent) -> Bool) async throws -> ServerEvent {
        waits += 1
        let wait = waits, sink = self.sink
        let timer = Task {
            try await Task.sleep(for: timeout)
            sink.yield(.timeout(wait))
        }
        defer { timer.cancel() }
        while true {
            switch await items.next() {
            case .event(let event)?:
                if matches(event) { return event }
                if case .error(let code, let message) = event { throw LoadFailure(description: "\(code.rawValue): \(message)") }
            case .timeout(wait)?: throw LoadFailure(description: "no answer from the server within \(timeout)")
            case .timeout?: continue
            case nil: throw LoadFailure(description: "the connection closed while waiting for the server")
            }
        }
    }
}

struct LoadFailure: Error, CustomStringConvertible {
    var description: String
}
