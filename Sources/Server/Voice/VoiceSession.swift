import AudioCodec
import Commerce
import Foundation
import FrontEnd
import Grammar
import Logging
import Recognition
import Speech
import Store
import VoiceProtocol

/// One device connection's protocol logic, independent of the socket: messages in, events
/// (and possibly a close) out. It reads in one direction: a message → its audio through the
/// `UtteranceStream` → the recogniser → the `DialogRunner`, which acts. The WebSocket handler
/// feeds it one message at a time, so a decode in progress holds back reading the next frame
/// (backpressure).
struct VoiceSession {
    /// How the connection should end after the events are sent.
    enum Close: Equatable {
        case normal(String)
        case policy(String)
    }

    struct Output {
        var events: [ServerEvent] = []
        var close: Close?
    }

    let services: TalkshopServices
    let device: Device
    let record: SessionRecord
    private var dialog: DialogRunner
    private var audio: (any AudioStreamDecoder)?
    /// The decoded audio through the front end and endpointer to utterances.
    private var stream: UtteranceStream
    /// Stores each turn, with its audio where the policy and the customer allow.
    private var turns: SessionTurns
    /// The device asked for the words so far while it speaks.
    private var sendsPartials = false
    /// The codec spoken replies are sent in, if the device asked for them.
    private(set) var replyCodec: ReplyCodec?
    var utterances = 0
    private(set) var audioSeconds = 0.0
    /// Results sent since the client last said end_of_speech: when the endpointer already
    /// closed the utterance, a late end_of_speech with no new speech needs no answer.
    private var resultsSinceEndOfSpeech = 0
    private var logger: Logger

    init(services: TalkshopServices, device: Device, record: SessionRecord, catalog: Catalog) {
        self.services = services
        self.device = device
        self.record = record
        logger = services.logger
        logger[metadataKey: "talkshop.session.id"] = .string(record.id)
        logger[metadataKey: "talkshop.device.id"] = .string(device.id)
        dialog = DialogRunner(services: services.dialog, device: device, sessionId: record.id, catalog: catalog, logger: logger)
        var endpointing = services.configuration.recognition.endpointing(deviceClass: device.deviceClass)
        endpointing.maxUtterance = .milliseconds(Int(services.configuration.limits.maxUtteranceSeconds * 1_000))
        stream = UtteranceStream(
            recognizer: services.recognizer, endpointing: endpointing, frontEnd: services.configuration.frontEnd, pacing: .live)
        turns = SessionTurns(services: services, device: device, sessionId: record.id)
    }

    /// The customer asked for a person: the channel hands the session over (a phone call ends
    /// for the bridge's next step).
    private(set) var handedOver = false

    /// Sends events to the device at once, in the middle of a turn (an order written, before
    /// its payment answers); without it they go out with the turn's other events.
    mutating func announce(with send: @escaping @Sendable ([ServerEvent]) async -> Void) {
        let catalog = dialog.catalog
        dialog.announce = { replies in await send(ServerEvent.events(for: replies, names: catalog)) }
    }

    /// The dialog's replies as this session's events: the one place they become wire events.
    private mutating func said(_ replies: [DialogReply]) -> [ServerEvent] {
        if replies.handsOver { handedOver = true }
        return ServerEvent.events(for: replies, names: dialog.catalog)
    }

    /// What the dialog listens for: main, confirmation, pin.
    var state: DialogState { dialog.state }
    /// The conversation, once the session has started.
    var conversationId: String? { dialog.conversation?.id }
    private var limits: ServerConfiguration.Limits { services.configuration.limits }
    var listening: ServerEvent { .listening(state: state.rawValue) }

    mutating func handle(text: String) async -> Output {
        let message: ClientMessage
        do {
            message = try VoiceProtocol.decoder.decode(ClientMessage.self, from: Data(text.utf8))
        } catch {
            return failure(.badMessage, "not a valid message: \(DecodingProblem.describe(error, in: Data(text.utf8)))")
        }
        return await handle(message)
    }

    mutating func handle(_ message: ClientMessage) async -> Output {
        switch message {
        case .start(let start): return await begin(start)
        case .endOfSpeech: return await endOfSpeech()
        case .text(let typed): return await interpret(typed: typed)
        case .cancel:
            stream.cancel()
            return Output(events: [listening])
        case .stop:
            return Output(events: [.bye(reason: "client_stop")], close: .normal("client_stop"))
        }
    }

    private mutating func begin(_ start: ClientMessage.Start) async -> Output {
        guard audio == nil else { return failure(.alreadyStarted, "the session has already started; send stop first") }
        guard start.replies == nil || start.replies == "text" || start.replies == "audio" else {
            return failure(.badMessage, "replies must be \"text\" or \"audio\"")
        }
        let decoder: any AudioStreamDecoder
        do {
            decoder = try start.streamDecoder(maxPacketBytes: limits.maxMessageBytes)
        } catch {
            return failure(.unsupportedAudio, "\(error.identifier): \(error.detail)")
        }
        let cart: [ServerEvent]
        do {
            cart = said(try await dialog.open(resuming: start.conversationId))
        } catch ConversationResumeError.unknownConversation {
            return failure(.unknownConversation, "no conversation \(start.conversationId ?? "") for this customer")
        } catch {
            logger.error("cannot open conversation", metadata: ["error": "\(error)"])
            return failure(.internalError, "the conversation could not be opened")
        }
        audio = decoder
        replyCodec = start.spokenReplyCodec
        sendsPartials = start.partials == true
        await turns.begin(codec: start.codec)
        let ready = ServerEvent.ready(sessionId: record.id, conversationId: conversationId ?? "", state: state.rawValue)
        return Output(events: [ready] + cart + [listening])
    }

    mutating func handle(binary bytes: [UInt8]) async -> Output {
        guard var decoder = audio else { return failure(.notStarted, "send a start message before audio") }
        let pcm: [Int16]
        do {
            pcm = try decoder.decode(bytes)
            audio = decoder
        } catch {
            services.metrics.increment(.errors, label: "bad_audio")
            // An Opus packet stream recovers at the next packet; a broken Ogg or PCM stream does not.
            if !(decoder is OpusPacketStreamDecoder) { audio = nil }
            let advice = audio == nil ? " (send start again)" : ""
            return Output(events: [.error(code: .badAudio, message: "\(error.identifier): \(error.detail)\(advice)")])
        }
        let seconds = Double(pcm.count) / Double(recognitionSampleRate)
        audioSeconds += seconds
        services.metrics.increment(.audioSeconds, by: seconds)
        guard audioSeconds <= limits.maxSessionAudioSeconds else {
            services.metrics.increment(.errors, label: "audio_limit")
            let message = "this session has streamed more than \(Int(limits.maxSessionAudioSeconds)) s of audio"
            return Output(events: [.error(code: .audioLimit, message: message), .bye(reason: "audio_limit")], close: .policy("audio_limit"))
        }
        let heard = await stream.append(pcm, state: state, partials: sendsPartials && state != .pin)
        turns.received(bytes, samples: pcm.count)
        var output = Output(events: said(await dialog.tick()))
        for event in heard {
            switch event {
            case .speechStarted(let searchedWhileSpoken):
                output.events.append(.speechStarted)
                if !searchedWhileSpoken { services.metrics.increment(.decodedAtEnd) }
            case .partial(let words):
                output.events.append(.partial(text: words.joined(separator: " ")))
            case .utterance(let utterance):
                output.events += await recognize(utterance)
            case .noSpeech:
                dialog.tally.rejected(ServerEvent.RejectionReason.noSpeech.rawValue, state: state.rawValue)
                output.events += [.rejected(reason: .noSpeech, transcript: nil), listening]
            case .trouble(let error as FrontEndError):
                services.metrics.increment(.errors, label: "front_end")
                logger.error("the front end failed; this audio is not denoised", metadata: ["error": "\(error)"])
            case .trouble(let error):
                logger.error("starting a decoder failed", metadata: ["error": "\(error)"])
            }
        }
        if stream.isWaiting { turns.idle(at: stream.receivedSamples) }
        return output
    }

    private mutating func endOfSpeech() async -> Output {
        guard audio != nil else { return failure(.notStarted, "send a start message before end_of_speech") }
        defer { resultsSinceEndOfSpeech = 0 }
        if stream.isWaiting && resultsSinceEndOfSpeech > 0 { return Output() }
        guard let utterance = stream.finish() else {
            services.metrics.increment(.rejections, label: "no_speech")
            dialog.tally.rejected(ServerEvent.RejectionReason.noSpeech.rawValue, state: state.rawValue)
            return Output(events: [.rejected(reason: .noSpeech, transcript: nil), listening])
        }
        return Output(events: await recognize(utterance))
    }

    private mutating func recognize(_ utterance: UtteranceStream.Utterance) async -> [ServerEvent] {
        guard await withinRateLimit() else {
            utterance.abandon()
            return rateLimited()
        }
        utterances += 1
        services.metrics.increment(.utterances)
        let started = ContinuousClock.now
        let result: RecognitionResult
        do {
            result = try await utterance.recognize(by: services.recognizer, state: state)
        } catch {
            logger.error("recognition failed", metadata: ["error": "\(error)"])
            services.metrics.increment(.errors, label: "internal_error")
            return [.error(code: .internalError, message: "recognition failed"), listening]
        }
        resultsSinceEndOfSpeech += 1
        if result.evidence?.outOfGrammar != nil { services.metrics.increment(.nearMissChecks) }
        if result.evidence?.verificationSkipped == true { services.metrics.increment(.nearMissChecksSkipped) }
        let elapsed = ContinuousClock.now - started
        services.metrics.recordDecodeLatency(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return await events(for: result, spoken: utterance) + [listening]
    }

    /// Reports the result and lets the dialog act on an accepted intent. `utterance`: the
    /// spoken audio (nil for typed text or keys). While a PIN is awaited nothing of what was
    /// heard is echoed or stored.
    mutating func events(for result: RecognitionResult, spoken utterance: UtteranceStream.Utterance?) async -> [ServerEvent] {
        let secret = state == .pin
        let fingerprint = utterance.map { UtteranceFingerprint.of($0.samples) }
        if let fingerprint, await ledToAnOrder(fingerprint) {
            services.metrics.increment(.rejections, label: ServerEvent.RejectionReason.replayed.rawValue)
            logger.warning("replayed audio: this utterance already led to an order")
            turns.record(result, outcome: .replayed, secret: secret, spoken: utterance, in: conversationId)
            dialog.tally.rejected(ServerEvent.RejectionReason.replayed.rawValue, state: state.rawValue)
            return [.rejected(reason: .replayed, transcript: nil)]
        }
        var events: [ServerEvent] = []
        if !result.transcript.isEmpty && !secret { events.append(.transcript(text: result.transcript)) }
        guard let intent = result.intent else {
            let reason = result.rejection ?? .noMatch
            services.metrics.increment(.rejections, label: reason.rawValue)
            turns.record(result, outcome: .rejected(reason: reason.rawValue), secret: secret, spoken: utterance, in: conversationId)
            dialog.tally.rejected(ServerEvent.RejectionReason(reason).rawValue, state: state.rawValue)
            events.append(.rejected(reason: .init(reason), transcript: result.transcript.isEmpty || secret ? nil : result.transcript))
            return events + said(await dialog.rejected())
        }
        services.metrics.increment(.intents)
        turns.record(result, outcome: .accepted, secret: secret, spoken: utterance, in: conversationId)
        dialog.tally.recognised(intent.name)
        events.append(.intent(
            name: intent.name, slots: secret ? [:] : intent.slots, confidence: result.confidence, text: secret ? "" : intent.text))
        return events + said(await dialog.heard(intent, confidence: result.confidence, transcript: result.transcript, fingerprint: fingerprint))
    }

    /// Whether this audio already led to an order (a replayed stream). A store that cannot be
    /// read lets it through: it is still only a turn, and an order still needs its read-back and yes.
    private func ledToAnOrder(_ fingerprint: String) async -> Bool {
        (try? await services.orders.hasFingerprint(fingerprint)) == true
    }

    /// Spoken replies play until `end`: a question asked in them is answered only after.
    mutating func repliesPlay(until end: Date) {
        dialog.repliesPlay(until: end)
    }

    /// The connection is over, for `reason`: an utterance cut off mid-way gives its decoder
    /// back now, and the session's record is closed (a failure to is logged: the session is
    /// over either way).
    mutating func end(reason: String) async {
        stream.end()
        do {
            try await services.sessions.close(sessionId: record.id, reason: reason, utterances: utterances, audioSeconds: audioSeconds)
        } catch {
            logger.error("closing the session's record failed", metadata: ["error": "\(error)"])
        }
        await recordContact(endReason: reason)
    }

    /// What this contact came to, for the analytics (docs/analytics.md). A phone call the
    /// bridge handed to a person (silence, nonsense, a key) counts as handed over.
    private mutating func recordContact(endReason: String) async {
        if endReason == "handover" && dialog.tally.counts[ContactCounts.handedOver] == nil { dialog.tally.count(ContactCounts.handedOver) }
        let tally = dialog.tally
        let now = services.clock.now
        let contact = ContactRecord(
            sessionId: record.id, conversationId: conversationId, customerId: device.customerId, channel: ContactRecord.channel(sessionChannel: record.channel, deviceClass: device.deviceClass, audioSeconds: audioSeconds),
            startedAt: record.startedAt, endedAt: max(now, record.startedAt), topic: tally.topic, counts: tally.counts,
            endedAsking: dialog.question?.rawValue, trailingRejections: tally.trailingRejections,
            secondsToOrder: tally.firstOrderAt.map { max(0, $0.timeIntervalSince(record.startedAt)) })
        let outcome = ConversationOutcome.of(tally.counts, endedAsking: contact.endedAsking, trailingRejections: contact.trailingRejections)
        services.metrics.increment(.contacts, label: outcome.rawValue)
        do { try await services.stores.shop.contacts.record(contact) } catch {
            logger.error("storing the contact's analytics failed", metadata: ["error": "\(error)"])
        }
    }

    /// Counts an utterance against the device's per-minute limit; false when over it. A count
    /// that cannot be made lets the utterance through: the limit protects the decoders, and a
    /// store that fails refuses orders on its own.
    func withinRateLimit() async -> Bool {
        do { return try await services.registry.allowUtterance(deviceId: device.id, at: services.clock.now) } catch {
            logger.error("counting an utterance failed", metadata: ["error": "\(error)"])
            return true
        }
    }

    func rateLimited() -> [ServerEvent] {
        services.metrics.increment(.errors, label: "rate_limited")
        return [.error(code: .rateLimited, message: "more than \(limits.utterancesPerMinutePerDevice) utterances in a minute"), listening]
    }

    func failure(_ code: ServerEvent.ErrorCode, _ message: String) -> Output {
        services.metrics.increment(.errors, label: code.rawValue)
        return Output(events: [.error(code: code, message: message)])
    }
}
