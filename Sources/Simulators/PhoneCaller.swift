import AudioCodec
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import Synchronization

/// A caller simulator speaking Twilio's Media Streams protocol, as Twilio would on a
/// bidirectional `<Connect><Stream>`: `connected`, `start` with custom parameters, a `media`
/// frame of 8 kHz μ-law every 20 ms for the whole call (silence between utterances, as a
/// phone line does), `dtmf`, and `stop`. It plays the server's audio in real time: marks are
/// echoed when the audio before them has played, or at once on `clear`. `talkshop call` and
/// the phone tests use it.
public struct PhoneCaller: Sendable {
    public enum Step: Sendable {
        /// Speaks 8 kHz μ-law audio once the reply playing has finished.
        case speak([UInt8])
        /// Speaks as soon as a reply is playing, over it (barge-in).
        case interrupt([UInt8])
        /// Presses keys once the reply has finished, 200 ms apart.
        case dtmf(String)
        /// Stays silent on the line this long.
        case pause(Duration)
    }

    public struct Outcome: Sendable {
        /// Everything the server sent as audio, μ-law 8 kHz, in order (what was cleared included).
        public var heard: [UInt8]
        /// Per spoken or pressed step: from the caller's end of speech (the last audio frame or
        /// key) to the first reply audio frame.
        public var replyLatencies: [Duration]
        public var clears: Int
        public var marksEchoed: Int
        /// How the server ended the call (`handover`, …) if it did.
        public var closeReason: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    public var url: String
    public var parameters: [String: String]
    public var callSid = "CA" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    public var streamSid = "MZ" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    /// How long to wait for a reply after each step.
    public var replyTimeout: Duration = .seconds(20)
    public var log: @Sendable (String) -> Void = { _ in }

    public init(url: String, parameters: [String: String]) {
        self.url = url
        self.parameters = parameters
    }

    /// 160 bytes of μ-law: 20 ms at 8 kHz.
    static let frameBytes = 160
    static let silence = [UInt8](repeating: 0xFF, count: frameBytes)

    public func call(_ steps: [Step]) async throws -> Outcome {
        let state = CallerState()
        let logger = Logger(label: "talkshop.caller")
        let closeFrame = try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 20), logger: logger) { inbound, outbound, _ in
            let sender = Sender(outbound: outbound, streamSid: streamSid)
            try await sender.send(["event": "connected", "protocol": "Call", "version": "1.0.0"], numbered: false)
            try await sender.send([
                "event": "start", "streamSid": streamSid,
                "start": [
                    "streamSid": streamSid, "accountSid": "ACtalkshopsimulator", "callSid": callSid, "tracks": ["inbound"],
                    "customParameters": parameters, "mediaFormat": ["encoding": "audio/x-mulaw", "sampleRate": 8_000, "channels": 1],
                ],
            ])
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    // A send that fails ends the call for the steps too: none may wait for audio to go.
                    do { try await Self.pump(sender, state) } catch {
                        state.hungUp()
                        throw error
                    }
                }
                group.addTask {
                    try await Self.listen(inbound, sender, state, log: log)
                    state.hungUp()
                }
                // A caller listens to the greeting before saying anything (its delay is not a turn).
                state.stepEnded()
                _ = try await state.awaitReply(within: replyTimeout)
                state.forgetLatencies()
                for step in steps {
                    guard !state.isHungUp else { break }
                    try await perform(step, sender, state)
                }
                if !state.isHungUp {
                    await state.waitUntilPlayed()
                    try? await sender.send(["event": "stop", "streamSid": streamSid, "stop": ["accountSid": "ACtalkshopsimulator", "callSid": callSid]])
                    try? await Task.sleep(for: .milliseconds(200))
                    try? await outbound.close(.normalClosure, reason: "caller hung up")
                }
                group.cancelAll()
            }
        }
        return state.outcome(closeReason: closeFrame?.reason)
    }

    private func perform(_ step: Step, _ sender: Sender, _ state: CallerState) async throws {
        switch step {
        case .pause(let duration):
            try await Task.sleep(for: duration)
            return
        case .speak(let audio), .interrupt(let audio):
            if case .speak = step { await state.waitUntilPlayed() } else { try await state.waitUntilPlaying(within: replyTimeout) }
            log("caller: speaking \(String(format: "%.1f", Double(audio.count) / 8_000)) s")
            let spoken = state.queue(audio)
            // The server may end the call mid-utterance (a hand-over): the rest is never sent.
            while !state.hasSent(spoken) && !state.isHungUp { try await Task.sleep(for: .milliseconds(10)) }
        case .dtmf(let digits):
            await state.waitUntilPlayed()
            for (index, digit) in digits.enumerated() {
                if index > 0 { try await Task.sleep(for: .milliseconds(200)) }
                log("caller: presses \(digit)")
                // The reply may start before the send returns: the step ends as the last key goes.
                if index == digits.count - 1 { state.stepEnded() }
                try await sender.send(["event": "dtmf", "streamSid": streamSid, "dtmf": ["track": "inbound_track", "digit": String(digit)]])
            }
        }
        guard try await state.awaitReply(within: replyTimeout) else {
            if state.isHungUp { return }
            throw Failure(description: "no reply audio within \(replyTimeout)")
        }
    }

    /// One media frame every 20 ms, real time: queued speech, else silence.
    private static func pump(_ sender: Sender, _ state: CallerState) async throws {
        let clock = ContinuousClock()
        var due = clock.now
        var chunk = 0
        while !state.isHungUp {
            chunk += 1
            let frame = state.nextFrame()
            try await sender.send([
                "event": "media", "streamSid": sender.streamSid,
                "media": ["track": "inbound", "chunk": String(chunk), "timestamp": String(chunk * 20), "payload": Data(frame).base64EncodedString()],
            ])
            due = due.advanced(by: .milliseconds(20))
            try await clock.sleep(until: due)
        }
    }

    private static func listen(_ inbound: WebSocketInboundStream, _ sender: Sender, _ state: CallerState, log: @escaping @Sendable (String) -> Void) async throws {
        for try await message in inbound.messages(maxSize: 1 << 20) {
            guard case .text(let text) = message,
                let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any],
                let event = object["event"] as? String
            else { continue }
            switch event {
            case "media":
                guard let media = object["media"] as? [String: Any], let payload = media["payload"] as? String,
                    let bytes = Data(base64Encoded: payload)
                else { continue }
                state.play([UInt8](bytes))
            case "mark":
                guard let name = (object["mark"] as? [String: Any])?["name"] as? String else { continue }
                let delay = state.markAfterPlayout(name)
                Task {
                    try? await Task.sleep(for: delay)
                    guard state.takeMark(name) else { return }
                    try? await sender.send(["event": "mark", "streamSid": sender.streamSid, "mark": ["name": name]])
                }
            case "clear":
                log("caller: server cleared its audio (barge-in)")
                for name in state.clear() {
                    try? await sender.send(["event": "mark", "streamSid": sender.streamSid, "mark": ["name": name]])
                }
            default:
                log("caller: unexpected message \(event)")
            }
        }
    }

    /// Numbers and writes the caller's messages.
    final class Sender: Sendable {
        let outbound: WebSocketOutboundWriter
        let streamSid: String
        private let sequence = Mutex(0)

        init(outbound: WebSocketOutboundWriter, streamSid: String) {
            self.outbound = outbound
            self.streamSid = streamSid
        }

        func send(_ message: [String: Any], numbered: Bool = true) async throws {
            var message = message
            if numbered { message["sequenceNumber"] = String(sequence.withLock { $0 += 1; return $0 }) }
            let data = try JSONSerialization.data(withJSONObject: message)
            try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
        }
    }
}

/// What the caller's tasks share: the speech queue, the playout clock, marks and timings.
final class CallerState: Sendable {
    private struct State {
        var speech: [UInt8] = []
        var sentBytes = 0
        var queuedBytes = 0
        /// Where the speech queued last ends (its trailing silence not counted), in bytes sent.
        var speechEndsAt: Int?
        var heard: [UInt8] = []
        var playoutEnd = ContinuousClock.now
        var pendingMarks: Set<String> = []
        var marksEchoed = 0
        var clears = 0
        /// Set when the caller finished a step; cleared by the first reply frame after it.
        var stepEndedAt: ContinuousClock.Instant?
        var latencies: [Duration] = []
        var replies = 0
        var hungUp = false
    }

    private let state = Mutex(State())

    /// Queues speech; returns the byte count to wait for. The caller's end of speech is the
    /// last sample above -40 dBFS, not the end of the file (files carry trailing silence).
    func queue(_ audio: [UInt8]) -> Int {
        let lastLoud = audio.lastIndex { abs(Int(MuLaw.decode($0))) > 328 } ?? 0
        return state.withLock { state in
            state.speech += audio
            state.speechEndsAt = state.queuedBytes + lastLoud + 1
            state.queuedBytes += audio.count
            return state.queuedBytes
        }
    }

    func hasSent(_ bytes: Int) -> Bool { state.withLock { $0.sentBytes >= bytes } }

    func nextFrame() -> [UInt8] {
        state.withLock { state in
            guard !state.speech.isEmpty else { return PhoneCaller.silence }
            let count = min(PhoneCaller.frameBytes, state.speech.count)
            var frame = Array(state.speech.prefix(count))
            state.speech.removeFirst(count)
            state.sentBytes += count
            if let end = state.speechEndsAt, state.sentBytes >= end {
                state.stepEndedAt = .now
                state.speechEndsAt = nil
            }
            frame += [UInt8](repeating: 0xFF, count: PhoneCaller.frameBytes - count)
            return frame
        }
    }

    func stepEnded() { state.withLock { $0.stepEndedAt = .now } }
    func forgetLatencies() { state.withLock { $0.latencies = [] } }

    func play(_ bytes: [UInt8]) {
        state.withLock { state in
            if let ended = state.stepEndedAt {
                state.latencies.append(.now - ended)
                state.stepEndedAt = nil
            }
            state.replies += 1
            state.heard += bytes
            let duration = Duration.milliseconds(bytes.count / 8)
            state.playoutEnd = max(state.playoutEnd, .now) + duration
        }
    }

    func markAfterPlayout(_ name: String) -> Duration {
        state.withLock { state in
            state.pendingMarks.insert(name)
            return max(.zero, state.playoutEnd - .now)
        }
    }

    func takeMark(_ name: String) -> Bool {
        state.withLock { state in
            guard state.pendingMarks.remove(name) != nil else { return false }
            state.marksEchoed += 1
            return true
        }
    }

    /// Drops what is queued for playing; returns the marks to echo now.
    func clear() -> [String] {
        state.withLock { state in
            state.clears += 1
            state.playoutEnd = .now
            defer { state.marksEchoed += state.pendingMarks.count; state.pendingMarks = [] }
            return Array(state.pendingMarks)
        }
    }

    /// Waits for a reply frame after the step that just ended; false on timeout or hang-up.
    func awaitReply(within timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let (waiting, hungUp) = state.withLock { ($0.stepEndedAt != nil, $0.hungUp) }
            if !waiting { return true }
            if hungUp { return false }
            try await Task.sleep(for: .milliseconds(5))
        }
        return false
    }

    /// Until the replies have played and their marks have been echoed.
    func waitUntilPlayed() async {
        while true {
            let (remaining, marks, hungUp) = state.withLock { ($0.playoutEnd - .now, $0.pendingMarks.count, $0.hungUp) }
            if (remaining <= .zero && marks == 0) || hungUp { return }
            try? await Task.sleep(for: max(.milliseconds(10), min(remaining, .milliseconds(100))))
        }
    }

    func waitUntilPlaying(within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.playoutEnd <= .now && !$0.hungUp }) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func hungUp() { state.withLock { $0.hungUp = true } }
    var isHungUp: Bool { state.withLock { $0.hungUp } }

    func outcome(closeReason: String?) -> PhoneCaller.Outcome {
        state.withLock { state in
            PhoneCaller.Outcome(
                heard: state.heard, replyLatencies: state.latencies, clears: state.clears, marksEchoed: state.marksEchoed,
                closeReason: closeReason)
        }
    }
}
