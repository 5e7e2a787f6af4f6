import Conversation
import Foundation
import Grammar
import HummingbirdWebSocket
import Logging
import Store
import VoiceProtocol

/// One phone call over a bridge (`/v1/twilio`, `/v1/phone`): identifies the caller from the
/// stream's parameters, runs the same conversation as a speaker (every order needs the PIN),
/// speaks every prompt, lets the caller interrupt (barge-in) or use the keypad, re-prompts
/// after silence or speech that matched nothing, and hands over to a person after too many —
/// by ending the stream, so the bridge carries on with its next step (Twilio: the TwiML verb
/// after `<Connect>`, e.g. `<Dial>`).
struct PhoneCall {
    let services: TalkshopServices
    var wire: any PhoneWire
    /// Called once the line's token was found valid (the connection gate stops counting the
    /// call as unauthenticated).
    var identified: @Sendable () -> Void = {}

    private var settings: PhoneSettings { services.configuration.phone }
    private var logger: Logger { services.logger }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        var wire = self.wire
        var call: ActiveCall?
        let watchdog = Task {
            // A bridge that never starts the stream is not kept waiting on; its start cancels this.
            guard (try? await Task.sleep(for: .seconds(10))) != nil else { return }
            try? await outbound.close(.policyViolation, reason: "no start within 10 s")
        }
        defer { watchdog.cancel() }
        do {
            messages: for try await message in inbound.messages(maxSize: services.configuration.limits.maxMessageBytes) {
                let input: PhoneInput
                do {
                    switch message {
                    case .text(let text): input = try wire.read(text: text)
                    case .binary(let buffer): input = try wire.read(binary: Array(buffer.readableBytesView))
                    }
                } catch {
                    logger.warning("phone bridge sent bad input; closing", metadata: ["reason": "\(error.description)"])
                    services.metrics.increment(.errors, label: "bad_phone_message")
                    try? await outbound.close(.unacceptableData, reason: String(error.description.prefix(120)))
                    break messages
                }
                call?.line.messageArrived()
                switch input {
                case .ignored: continue
                case .start(let start):
                    guard call == nil else { continue }
                    watchdog.cancel()
                    guard let active = await begin(start, wire: wire, outbound: outbound) else { break messages }
                    call = active
                case .stop:
                    break messages
                default:
                    guard var active = call else { continue }
                    let keepGoing = await active.handle(input)
                    call = active
                    if !keepGoing { break messages }
                }
            }
        } catch {
            // A frame the WebSocket library refused (too large, not UTF-8), or the socket
            // failed: the call ends, and the library closes with the violation's code.
            logger.debug("phone call ended", metadata: ["error": "\(error)"])
            await call?.finish()
            throw error
        }
        await call?.finish()
    }

    /// Identifies the caller, opens the session and speaks the greeting; nil if the call ends here.
    private func begin(_ start: PhoneStart, wire: any PhoneWire, outbound: WebSocketOutboundWriter) async -> ActiveCall? {
        let caller: PhoneDirectory.Caller
        do { caller = try await PhoneDirectory(services: services).identify(start) } catch {
            logger.warning("phone call refused", metadata: ["reason": "\(error.description)"])
            try? await outbound.close(.policyViolation, reason: error.description)
            return nil
        }
        identified()
        let line = CallLine(outbound: outbound, wire: wire, replies: services.replies, metrics: services.metrics, clock: services.clock)
        services.metrics.increment(.phoneCalls)
        guard let customer = caller.customer, customer.revokedAt == nil else {
            // Nothing to say to a caller we cannot serve: the bridge's next step (a person)
            // takes over at once rather than after a message the bridge may never play out.
            services.metrics.increment(.handovers)
            await line.close(.normalClosure, reason: "handover")
            return nil
        }
        let device = PhoneDirectory.device(line: caller.line, customer: customer)
        let lease: SessionLease
        do {
            lease = try await SessionLease.open(device, channel: "phone", webTokenHash: nil, admitted: nil, services: services)
        } catch {
            switch error {
            case .limits:
                await line.close(.policyViolation, reason: "too many calls on this line")
            case .store(let failure):
                logger.error("opening the call's session failed", metadata: ["error": "\(failure)"])
                await line.close(.unexpectedServerError, reason: "internal error")
            }
            return nil
        }
        do {
            var session = VoiceSession(services: services, device: device, record: lease.record, catalog: try await services.catalog.catalog())
            let opened = await session.handle(.start(.init(codec: start.codec, sampleRate: start.sampleRate)))
            guard !opened.events.contains(where: { if case .error = $0 { true } else { false } }) else {
                throw SessionDidNotStart(events: opened.events)
            }
            var call = ActiveCall(services: services, line: line, session: session, lease: lease)
            call.startWatching()
            try await line.say(settings.greeting)
            return call
        } catch {
            await lease.close()
            logger.error("phone call could not start", metadata: ["error": "\(error)"])
            await line.close(.unexpectedServerError, reason: "internal error")
            return nil
        }
    }
}

/// The voice session refused the call's `start` (logged; the caller hears nothing more).
struct SessionDidNotStart: Error, CustomStringConvertible {
    let events: [ServerEvent]
    var description: String { "the session did not start: \(events)" }
}

/// A call in progress: the conversation, the keypad, the re-prompt rules.
struct ActiveCall {
    let services: TalkshopServices
    let line: CallLine
    var session: VoiceSession
    /// The call's place in the line's session limit, its open-session entry and its order updates.
    let lease: SessionLease
    /// PIN digits typed so far (never logged).
    private var digits = ""
    private var watcher: Task<Void, Never>?
    private var updates: Task<Void, Never>?

    private var settings: PhoneSettings { services.configuration.phone }

    init(services: TalkshopServices, line: CallLine, session: VoiceSession, lease: SessionLease) {
        self.services = services
        self.line = line
        self.session = session
        self.lease = lease
    }

    /// Re-prompts after silence, hangs up a silent bridge, speaks order updates, and ends the
    /// call when the line or the customer is revoked.
    mutating func startWatching() {
        let (line, settings, services) = (self.line, self.settings, self.services)
        let idleLimit = Duration.milliseconds(Int(services.configuration.limits.idleTimeoutSeconds * 1_000))
        watcher = Task {
            while !Task.isCancelled && !line.isEnding {
                try? await Task.sleep(for: .milliseconds(250))
                if line.quietFor > idleLimit {
                    await line.close(.goingAway, reason: "idle timeout")
                    return
                }
                guard let count = line.noInput(after: settings.noInputSeconds) else { continue }
                if count > settings.reprompts {
                    await Self.handOver(line, settings: settings, services: services, alreadySaid: false)
                    return
                }
                try? await line.say("\(settings.noInput) \(line.lastPrompt)", isPrompt: false)
            }
        }
        let (stream, revocation) = (lease.updates, lease.revocation)
        updates = Task {
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await update in stream {
                        if let text = Prompt.notice(for: update.status) { try? await line.say(text, isPrompt: false) }
                    }
                }
                group.addTask {
                    for await reason in revocation { await line.close(.policyViolation, reason: reason) }
                }
                await group.next()
                group.cancelAll()
            }
        }
    }

    /// Acts on one input; false when the call should end.
    mutating func handle(_ input: PhoneInput) async -> Bool {
        switch input {
        case .audio(let bytes):
            session.repliesPlay(until: line.replyEndsAt)
            return await act(on: await session.handle(binary: bytes))
        case .dtmf(let digit):
            return await press(digit)
        case .mark(let name):
            line.played(name)
            // The bridge has played everything: a question in it can be answered from now.
            if !line.isPlaying { session.repliesPlay(until: services.clock.now) }
            return true
        default:
            return true
        }
    }

    /// The keypad: 1 checks out or confirms, 2 declines, 0 asks for a person, digits enter the PIN.
    private mutating func press(_ digit: String) async -> Bool {
        line.heard(matched: nil)
        try? await line.bargeIn()
        if session.state == .pin {
            switch digit {
            case "*": digits = ""
            case "#": break
            default: digits += digit
            }
            guard digit == "#" || digits.count == 4, !digits.isEmpty else { return true }
            let slots = Dictionary(uniqueKeysWithValues: digits.enumerated().map { ("digit\($0.offset + 1)", String($0.element)) })
            digits = ""
            return await act(on: await session.handle(keyed: Intent(.pinDigits, slots: slots, text: "keypad")))
        }
        let command: Command?
        switch (digit, session.state) {
        case ("0", _): command = nil
        case ("1", .confirmation): command = .yes
        case ("2", .confirmation): command = .no
        case ("1", _): command = .checkout
        default: return true
        }
        guard let command else {
            await Self.handOver(line, settings: settings, services: services, alreadySaid: false)
            return false
        }
        return await act(on: await session.handle(keyed: Intent(command, text: "keypad \(digit)")))
    }

    /// Speaks what the session said, applies barge-in and the no-match rule; false to end.
    private mutating func act(on output: VoiceSession.Output) async -> Bool {
        var prompted = false, rejected = false
        for event in output.events {
            switch event {
            case .speechStarted:
                line.speechStarted()
                try? await line.bargeIn()
            case .prompt(let text, _):
                prompted = true
                services.logger.debug("phone prompt", metadata: ["text": "\(text)", "state": "\(session.state)"])
                try? await line.say(text)
            case .notice(let text):
                try? await line.say(text, isPrompt: false)
            case .intent:
                line.heard(matched: true)
            case .rejected(let reason, _):
                if reason == .noSpeech { line.heard(matched: nil) } else { rejected = true }
            case .error(let code, let message):
                services.logger.warning("phone session error", metadata: ["code": "\(code.rawValue)", "message": "\(message)"])
            default:
                break
            }
        }
        if prompted { session.repliesPlay(until: line.replyEndsAt) }
        if session.handedOver {
            await Self.handOver(line, settings: settings, services: services, alreadySaid: true)
            return false
        }
        if rejected {
            if line.heard(matched: false) > settings.reprompts {
                await Self.handOver(line, settings: settings, services: services, alreadySaid: false)
                return false
            }
            if !prompted { try? await line.say(settings.noMatch, isPrompt: false) }
        }
        return output.close == nil
    }

    /// Says so, lets it play, and ends the stream: the bridge's next step takes the caller on.
    static func handOver(_ line: CallLine, settings: PhoneSettings, services: TalkshopServices, alreadySaid: Bool) async {
        guard line.beginEnding() else { return }
        // A hand-over the dialog asked for (`alreadySaid`) was counted there.
        if !alreadySaid {
            services.metrics.increment(.handovers)
            try? await line.say(settings.handover, isPrompt: false)
        }
        await line.waitUntilPlayed(atMost: .seconds(15))
        await line.close(.normalClosure, reason: "handover")
    }

    mutating func finish() async {
        watcher?.cancel()
        updates?.cancel()
        await lease.close()
        await session.end(reason: line.isEnding ? "handover" : "caller_hangup")
    }
}
