import Foundation
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import Speech
import Synchronization

/// The outgoing side of a phone call, shared by the call's tasks: speaks prompts in the
/// bridge's codec, knows whether a reply is still playing (from the bridge's marks, or
/// estimated from the audio's length), interrupts it on barge-in, and keeps the counters the
/// no-input and no-match rules need.
final class CallLine: Sendable {
    private struct State {
        /// When the audio sent so far will have finished playing.
        var playingUntil = ContinuousClock.now
        /// The same, as a date on the dialog's clock for its answer window.
        var replyEndsAt = Date.distantPast
        var pendingMarks: Set<String> = []
        var marksSent = 0
        /// The dialog's last prompt, repeated after a no-input apology.
        var lastPrompt = ""
        /// When the caller last did something: spoke, pressed a key.
        var lastHeard = ContinuousClock.now
        var inSpeech = false
        var noInputs = 0
        var noMatches = 0
        var lastMessage = ContinuousClock.now
        var ending = false
    }

    private let state = Mutex(State())
    private let outbound: WebSocketOutboundWriter
    private let wire: any PhoneWire
    private let replies: ReplyVoice
    let metrics: Metrics
    /// The dialog's clock, for `replyEndsAt`; playback itself is timed in real time.
    private let clock: any WallClock

    init(outbound: WebSocketOutboundWriter, wire: any PhoneWire, replies: ReplyVoice, metrics: Metrics, clock: any WallClock) {
        self.outbound = outbound
        self.wire = wire
        self.replies = replies
        self.metrics = metrics
        self.clock = clock
    }

    /// Sends `text` as speech; a dialog prompt is remembered for re-prompting.
    func say(_ text: String, isPrompt: Bool = true) async throws {
        let audio = try await replies.audio(for: text, codec: wire.replyCodec)
        let markFrame = state.withLock { state -> PhoneFrame? in
            state.marksSent += 1
            if isPrompt { state.lastPrompt = text }
            state.playingUntil = max(state.playingUntil, .now) + .milliseconds(Int(audio.duration * 1_000))
            state.replyEndsAt = max(state.replyEndsAt, clock.now).addingTimeInterval(audio.duration)
            let name = "reply-\(state.marksSent)"
            let frame = wire.mark(name)
            // Pending from the first frame on, so speech heard while it is sent is a barge-in.
            if frame != nil { state.pendingMarks.insert(name) }
            return frame
        }
        for frame in wire.frames(for: audio) { try await write(frame) }
        if let markFrame { try await write(markFrame) }
    }

    /// The bridge played everything up to this mark.
    func played(_ mark: String) {
        state.withLock { state in
            guard state.pendingMarks.remove(mark) != nil, state.pendingMarks.isEmpty else { return }
            state.playingUntil = .now
        }
    }

    var isPlaying: Bool { state.withLock { isPlaying($0) } }

    /// By the bridge's marks where it sends them, else by the audio's length.
    private func isPlaying(_ state: State) -> Bool {
        wire.reportsPlayback ? !state.pendingMarks.isEmpty : state.playingUntil > .now
    }

    /// When the replies sent so far will have played (an estimate from their length): a
    /// question in them — the read-back, or its repetition after silence — is answered after.
    var replyEndsAt: Date { state.withLock { $0.replyEndsAt } }

    /// The caller started speaking (or pressed a key) during a reply: drop the rest of it.
    func bargeIn() async throws {
        guard isPlaying else { return }
        state.withLock { state in
            state.playingUntil = .now
            state.pendingMarks = []
        }
        metrics.increment(.bargeIns)
        try await write(wire.clear())
    }

    func speechStarted() { state.withLock { $0.inSpeech = true; $0.lastHeard = .now } }

    /// A result came back: an intent resets the re-prompt counters; speech that matched
    /// nothing counts towards hand-over. Returns the no-match count.
    @discardableResult
    func heard(matched: Bool?) -> Int {
        state.withLock { state in
            state.inSpeech = false
            state.lastHeard = .now
            switch matched {
            case true?: state.noMatches = 0; state.noInputs = 0
            case false?: state.noMatches += 1
            case nil: break
            }
            return state.noMatches
        }
    }

    func messageArrived() { state.withLock { $0.lastMessage = .now } }
    var quietFor: Duration { state.withLock { .now - $0.lastMessage } }

    /// Whether the caller has said nothing for `seconds` since the last reply ended; if so,
    /// counts it and returns the count (the caller re-prompts or hands over).
    func noInput(after seconds: Double) -> Int? {
        state.withLock { state in
            let since = max(state.playingUntil, state.lastHeard)
            guard !state.ending, !state.inSpeech, !isPlaying(state), ContinuousClock.now - since > .milliseconds(Int(seconds * 1_000)) else { return nil }
            state.noInputs += 1
            state.lastHeard = .now
            return state.noInputs
        }
    }

    var lastPrompt: String { state.withLock { $0.lastPrompt } }

    /// Marks the call as ending; false if it already was.
    func beginEnding() -> Bool { state.withLock { state in defer { state.ending = true }; return !state.ending } }
    var isEnding: Bool { state.withLock { $0.ending } }

    /// Waits until the reply has played (at most `limit`), e.g. before hanging up.
    func waitUntilPlayed(atMost limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while isPlaying && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
    }

    func close(_ code: WebSocketErrorCode, reason: String) async {
        try? await outbound.close(code, reason: reason)
    }

    private func write(_ frame: PhoneFrame) async throws {
        switch frame {
        case .text(let text): try await outbound.write(.text(text))
        case .binary(let bytes): try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
        }
    }
}
