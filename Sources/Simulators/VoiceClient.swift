import AudioCodec
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization
import VoiceProtocol

/// A device simulator speaking the `/v1/voice` protocol: `talkshop say`, the live tests and
/// the load benchmark use it. It follows a script of steps and reports every server event.
public struct VoiceClient: Sendable {
    public enum Step: Sendable {
        case start(ClientMessage.Start)
        /// Binary frames, each with how long its audio lasts (for real-time pacing).
        case audio([(bytes: [UInt8], seconds: Double)])
        case endOfSpeech
        case text(String)
        /// Waits for the result of the last utterance: `intent`, `rejected` or `error`.
        case awaitResult
        case stop
        /// Sends raw text (for protocol tests).
        case raw(String)
        /// Waits, still receiving events (order updates).
        case pause(Duration)
        /// Waits until an event matching the condition has arrived (fails after the result timeout).
        case awaitEvent(@Sendable (ServerEvent) -> Bool)
        /// Runs an action between steps, still receiving events: e.g. waits at a barrier until
        /// other clients are ready, so that several sessions confirm at the same moment.
        case perform(@Sendable () async throws -> Void)
    }

    public var url: String
    public var token: String
    /// Send audio as fast as possible instead of in real time.
    public var fast = false
    public var resultTimeout: Duration = .seconds(30)
    /// How long connecting and the WebSocket handshake may take.
    public var connectTimeout: Duration = .seconds(10)
    /// Offer the token as a browser does — in the subprotocol list, `bearer.tsw_…` — rather
    /// than in an Authorization header.
    public var webSessionToken = false

    public init(url: String, token: String, fast: Bool = false) {
        self.url = url
        self.token = token
        self.fast = fast
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    /// Runs the script; returns every event received, in order.
    @discardableResult
    public func run(_ steps: [Step], onEvent: @escaping @Sendable (ServerEvent) -> Void = { _ in }) async throws -> [ServerEvent] {
        try await runMeasured(steps, onEvent: onEvent).events
    }

    /// Runs the script; returns the events and the close code the server ended with, if any.
    public func runRecordingClose(_ steps: [Step]) async throws -> (events: [ServerEvent], close: UInt16?) {
        let transcript = try await transcript(of: steps, onEvent: { _ in })
        return (transcript.events, transcript.close)
    }

    /// Runs the script; returns the events and, for each `awaitResult`, the time from the last
    /// `end_of_speech` or `text` sent to the result's arrival.
    public func runMeasured(
        _ steps: [Step], onEvent: @escaping @Sendable (ServerEvent) -> Void = { _ in }
    ) async throws -> (events: [ServerEvent], resultLatencies: [Duration]) {
        let transcript = try await transcript(of: steps, onEvent: onEvent)
        return (transcript.events, transcript.resultLatencies)
    }

    /// What a scripted session saw.
    struct Transcript: Sendable {
        var events: [ServerEvent]
        var resultLatencies: [Duration]
        var close: UInt16?
    }

    private func transcript(of steps: [Step], onEvent: @escaping @Sendable (ServerEvent) -> Void) async throws -> Transcript {
        // The WebSocket client cannot be cancelled during its handshake (a server killed at
        // that moment leaves it waiting for ever), so a stuck attempt is abandoned, not awaited.
        let connected = Flag(), finished = Flag()
        return try await withCheckedThrowingContinuation { continuation in
            let attempt = Task {
                do {
                    let result = try await session(steps, connected: connected, onEvent: onEvent)
                    if finished.set() { continuation.resume(returning: result) }
                } catch {
                    if finished.set() { continuation.resume(throwing: error) }
                }
            }
            Task { [connectTimeout] in
                try? await Task.sleep(for: connectTimeout)
                if !connected.isSet, finished.set() {
                    attempt.cancel()
                    continuation.resume(throwing: Failure(description: "no WebSocket connection within \(connectTimeout)"))
                }
            }
        }
    }

    private func session(
        _ steps: [Step], connected: Flag, onEvent: @escaping @Sendable (ServerEvent) -> Void
    ) async throws -> Transcript {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        if webSessionToken {
            configuration.additionalHeaders[.secWebSocketProtocol] = "\(VoiceProtocol.version), bearer.\(token)"
        } else {
            configuration.additionalHeaders[.authorization] = "Bearer \(token)"
        }
        let logger = Logger(label: "talkshop.client")
        let fast = self.fast, timeout = self.resultTimeout
        let collected = EventLog()
        let latencies = LatencyLog()
        let closeFrame = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
            _ = connected.set()
            let (results, resultSink) = AsyncStream.makeStream(of: Signal.self)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for try await message in inbound.messages(maxSize: 1 << 20) {
                        guard case .text(let text) = message,
                            let event = try? VoiceProtocol.decoder.decode(ServerEvent.self, from: Data(text.utf8))
                        else { continue }
                        collected.append(event)
                        onEvent(event)
                        switch event {
                        case .intent, .rejected, .error, .bye: resultSink.yield(.result)
                        default: break
                        }
                    }
                    resultSink.finish()
                }
                var pending = results.makeAsyncIterator()
                var waits = 0
                var lastSent = ContinuousClock.now
                for step in steps {
                    if case .endOfSpeech = step { lastSent = .now }
                    if case .text = step { lastSent = .now }
                    switch step {
                    case .start(let start): try await outbound.write(.text(try Self.json(ClientMessage.start(start))))
                    case .endOfSpeech: try await outbound.write(.text(try Self.json(ClientMessage.endOfSpeech)))
                    case .text(let text): try await outbound.write(.text(try Self.json(ClientMessage.text(text))))
                    case .stop: try await outbound.write(.text(try Self.json(ClientMessage.stop)))
                    case .raw(let text): try await outbound.write(.text(text))
                    case .pause(let duration): try await Task.sleep(for: duration)
                    case .perform(let action): try await action()
                    case .awaitEvent(let condition):
                        let deadline = ContinuousClock.now + timeout
                        while !collected.events.contains(where: condition) {
                            guard ContinuousClock.now < deadline else { throw Failure(description: "the awaited event did not arrive within \(timeout)") }
                            try await Task.sleep(for: .milliseconds(20))
                        }
                    case .audio(let frames):
                        let clock = ContinuousClock()
                        var due = clock.now
                        for frame in frames {
                            try await outbound.write(.binary(ByteBuffer(bytes: frame.bytes)))
                            if !fast {
                                due = due.advanced(by: .milliseconds(Int(frame.seconds * 1_000)))
                                try await clock.sleep(until: due)
                            }
                        }
                    case .awaitResult:
                        waits += 1
                        let wait = waits
                        group.addTask {
                            try? await Task.sleep(for: timeout)
                            resultSink.yield(.timedOut(wait))
                        }
                        signals: while true {
                            switch await pending.next() {
                            case .result?:
                                latencies.append(ContinuousClock.now - lastSent)
                                break signals
                            case .timedOut(wait)?: throw Failure(description: "no result from the server within \(timeout)")
                            case .timedOut?: continue
                            case nil: throw Failure(description: "the connection closed before a result arrived")
                            }
                        }
                    }
                }
                // After the script, wait for the server to close (it answers `stop` with `bye`);
                // the reader is the first child, the timers sleep until cancelled.
                while await pending.next() != nil {}
                group.cancelAll()
            }
        }
        return Transcript(
            events: collected.events, resultLatencies: latencies.values, close: closeFrame.map { UInt16(webSocketErrorCode: $0.closeCode) })
    }

    /// What the reading task and the timers tell the script runner.
    enum Signal: Sendable {
        case result
        case timedOut(Int)
    }

    /// A client message as the text frame that carries it.
    public static func json(_ message: ClientMessage) throws -> String {
        String(decoding: try VoiceProtocol.encoder.encode(message), as: UTF8.self)
    }

    /// How a file is sent: Ogg Opus as raw Opus packets (one per frame, like a speaker);
    /// anything else as 16 kHz PCM in 20 ms frames.
    public static func frames(for file: AudioFile) throws -> (start: ClientMessage.Start, frames: [(bytes: [UInt8], seconds: Double)]) {
        if file.format == .oggOpus {
            var reader = OggOpusReader()
            let packets = try reader.append(file.bytes)
            try reader.finish()
            return (ClientMessage.Start(codec: .opus, sampleRate: 16_000, channels: 1), packets.map { ($0.data, $0.info.durationSeconds) })
        }
        let pcm = PCM16.bytes(from: try file.decodeToRecognitionPCM())
        let frames = stride(from: 0, to: pcm.count, by: 640).map { start in
            (bytes: Array(pcm[start..<min(start + 640, pcm.count)]), seconds: 0.02)
        }
        return (ClientMessage.Start(codec: .pcmS16le, sampleRate: 16_000, channels: 1), frames)
    }
}

/// A one-way switch shared between tasks; `set` says whether this call flipped it.
final class Flag: Sendable {
    private let state = Synchronization.Mutex(false)
    func set() -> Bool { state.withLock { wasSet in defer { wasSet = true }; return !wasSet } }
    var isSet: Bool { state.withLock { $0 } }
}

final class LatencyLog: Sendable {
    private let storage = Synchronization.Mutex<[Duration]>([])
    func append(_ value: Duration) { storage.withLock { $0.append(value) } }
    var values: [Duration] { storage.withLock { $0 } }
}

/// Events received so far, shared between the reading task and the caller.
final class EventLog: Sendable {
    private let storage = Synchronization.Mutex<[ServerEvent]>([])
    func append(_ event: ServerEvent) { storage.withLock { $0.append(event) } }
    var events: [ServerEvent] { storage.withLock { $0 } }
}
