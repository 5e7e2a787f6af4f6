import Commerce
import Conversation
import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Speech
import Store
import Synchronization
import VoiceProtocol

/// Runs one `/v1/voice` WebSocket: admits it under the session limits, records it in the
/// store, feeds its messages to a `VoiceSession`, and ends it on stop, idle timeout, a limit,
/// a client disconnect, a revocation or server shutdown (after any decode in progress has answered).
struct VoiceConnection {
    let services: TalkshopServices
    let device: Device
    /// The web session token it was opened with, if any (SHA-256).
    var webTokenHash: String?

    /// Shared between the message loop and the watchers: last activity, whether a message is
    /// being handled (a decode in progress), and why the session ended.
    final class Activity: Sendable {
        private struct State {
            var last: Date
            var busy = false
            var endReason = "client_disconnect"
            var replyCodec: ReplyCodec?
        }
        private let state: Mutex<State>
        private let clock: any WallClock

        init(clock: any WallClock) {
            self.clock = clock
            state = Mutex(State(last: clock.now))
        }

        /// A message arrived: the idle time counts from here once it has been handled.
        func begin() { state.withLock { $0.busy = true; $0.last = clock.now } }
        func end() { state.withLock { $0.busy = false } }
        var isBusy: Bool { state.withLock { $0.busy } }
        /// Seconds since the last message arrived, on the services' clock (zero while one is handled).
        var idleFor: TimeInterval { state.withLock { $0.busy ? 0 : clock.now.timeIntervalSince($0.last) } }
        var endReason: String {
            get { state.withLock { $0.endReason } }
            set { state.withLock { $0.endReason = newValue } }
        }
        /// Set once the session asked for spoken replies.
        var replyCodec: ReplyCodec? {
            get { state.withLock { $0.replyCodec } }
            set { state.withLock { $0.replyCodec = newValue } }
        }
    }

    /// `admitted`: the session's slot, taken before the upgrade (nil: take one now).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, admitted: SessionSlot? = nil) async throws {
        let catalog = try await services.catalog.catalog()
        let lease: SessionLease
        do {
            lease = try await SessionLease.open(device, channel: "voice", webTokenHash: webTokenHash, admitted: admitted, services: services)
        } catch {
            switch error {
            case .limits:
                try await outbound.close(.policyViolation, reason: "too many sessions")
            case .store(let failure):
                services.logger.error("opening the session failed", metadata: ["error": "\(failure)"])
                try await outbound.close(.unexpectedServerError, reason: "internal error")
            }
            return
        }
        do {
            try await serve(lease, catalog: catalog, inbound: inbound, outbound: outbound)
        } catch {
            await lease.close()
            throw error
        }
        await lease.close()
    }

    /// The session, within its lease.
    private func serve(_ lease: SessionLease, catalog: Catalog, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let record = lease.record
        services.metrics.increment(.sessions)
        services.metrics.adjust(.sessionsOpen, by: 1)
        defer { services.metrics.adjust(.sessionsOpen, by: -1) }

        var session = VoiceSession(services: services, device: device, record: record, catalog: catalog)
        // A failed send ends the session anyway (the read loop sees the closed socket).
        session.announce { events in try? await Self.send(events, to: outbound) }
        let activity = Activity(clock: services.clock)
        let (updates, revocation) = (lease.updates, lease.revocation)
        let limits = services.configuration.limits
        let maxSize = limits.maxMessageBytes

        // A protocol violation the WebSocket library found in the inbound frames (a message over
        // the size limit, text that is not UTF-8): thrown on once the session has ended, so the
        // library closes with its code (1009, 1007) rather than a normal closure.
        let violation: (any Error)? = await withTaskGroup(of: Void.self) { group -> (any Error)? in
            // Closes the socket after a quiet spell.
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    if activity.idleFor > limits.idleTimeoutSeconds {
                        activity.endReason = "idle_timeout"
                        try? await Self.send([.bye(reason: "idle_timeout")], to: outbound)
                        try? await outbound.close(.goingAway, reason: "idle timeout")
                        return
                    }
                }
            }
            // The device, its customer or its web token was revoked: the session ends now, and
            // a confirmation it was waiting for places nothing (the store refuses it too).
            group.addTask {
                for await reason in revocation {
                    activity.endReason = reason
                    try? await Self.send([.bye(reason: reason)], to: outbound)
                    try? await outbound.close(.policyViolation, reason: reason)
                }
            }
            // Order updates from the courier, staff or another device of the customer.
            group.addTask {
                for await update in updates {
                    var events: [ServerEvent] = [.order(id: update.orderId, status: update.status.rawValue, total: update.total)]
                    if let text = Prompt.notice(for: update.status) { events.append(.notice(text: text)) }
                    _ = try? await send(events, to: outbound, speaking: activity.replyCodec)  // a closed socket ends the session anyway
                }
            }
            // On SIGTERM: let a decode in progress answer, then say goodbye.
            group.addTask {
                guard (try? await gracefulShutdown()) != nil else { return }
                while activity.isBusy && !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
                activity.endReason = "server_shutdown"
                try? await Self.send([.bye(reason: "server_shutdown")], to: outbound)
                try? await outbound.close(.goingAway, reason: "server shutting down")
            }
            do {
                messages: for try await message in inbound.messages(maxSize: maxSize) {
                    activity.begin()
                    defer { activity.end() }
                    let output: VoiceSession.Output
                    switch message {
                    case .text(let text): output = await session.handle(text: text)
                    case .binary(let buffer): output = await session.handle(binary: Array(buffer.readableBytesView))
                    }
                    activity.replyCodec = session.replyCodec
                    let spoken = try await send(output.events, to: outbound, speaking: session.replyCodec)
                    if spoken > 0 { session.repliesPlay(until: services.clock.now.addingTimeInterval(spoken)) }
                    if let close = output.close {
                        switch close {
                        case .normal(let reason):
                            activity.endReason = reason
                            try await outbound.close(.normalClosure, reason: reason)
                        case .policy(let reason):
                            activity.endReason = reason
                            try await outbound.close(.policyViolation, reason: reason)
                        }
                        break messages
                    }
                }
            } catch {
                // A frame the library refused, or the socket failed: the session ends.
                services.logger.debug("voice connection ended", metadata: ["error": "\(error)"])
                group.cancelAll()
                return error
            }
            group.cancelAll()
            return nil
        }
        await session.end(reason: activity.endReason)
        if let violation { throw violation }
    }

    /// Sends the events; with a reply codec, each prompt and notice is followed by its speech
    /// (a `reply_audio` event, then the frames). A synthesis failure costs the audio, not the
    /// session. Returns the seconds of audio sent.
    @discardableResult
    func send(_ events: [ServerEvent], to outbound: WebSocketOutboundWriter, speaking codec: ReplyCodec?) async throws -> Double {
        var seconds = 0.0
        for event in events {
            try await Self.send([event], to: outbound)
            guard let codec else { continue }
            let text: String
            switch event {
            case .prompt(let prompt, _): text = prompt
            case .notice(let notice): text = notice
            default: continue
            }
            let audio: ReplyAudio
            do { audio = try await services.replies.audio(for: text, codec: codec) } catch {
                services.logger.error("spoken reply failed", metadata: ["error": "\(error)"])
                continue
            }
            try await Self.send([.replyAudio(codec: codec.rawValue, frames: audio.frames.count, seconds: audio.duration)], to: outbound)
            for frame in audio.frames { try await outbound.write(.binary(ByteBuffer(bytes: frame))) }
            seconds += audio.duration
        }
        return seconds
    }

    static func send(_ events: [ServerEvent], to outbound: WebSocketOutboundWriter) async throws {
        for event in events {
            try await outbound.write(.text(String(decoding: try VoiceProtocol.encoder.encode(event), as: UTF8.self)))
        }
    }
}
