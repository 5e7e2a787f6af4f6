import AudioCodec
import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore

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
    }

    public var url: String
    public var token: String
    /// Send audio as fast as possible instead of in real time.
    public var fast = false
    public var resultTimeout: Duration = .seconds(30)

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

    /// Runs the script; returns the events and, for each `awaitResult`, the time from the last
    /// `end_of_speech` or `text` sent to the result's arrival.
    public func runMeasured(
        _ steps: [Step], onEvent: @escaping @Sendable (ServerEvent) -> Void = { _ in }
    ) async throws -> (events: [ServerEvent], resultLatencies: [Duration]) {
        var configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 20)
        configuration.additionalHeaders[.authorization] = "Bearer \(token)"
        let logger = Logger(label: "talkshop.client")
        let fast = self.fast, timeout = self.resultTimeout
        let collected = EventLog()
        let latencies = LatencyLog()
        try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
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
        return (collected.events, latencies.values)
    }

    /// What the reading task and the timers tell the script runner.
    enum Signal: Sendable {
        case result
        case timedOut(Int)
    }

    static func json(_ message: ClientMessage) throws -> String {
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

import Synchronization
