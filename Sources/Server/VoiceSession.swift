import AudioCodec
import Commerce
import Conversation
import Foundation
import Grammar
import Logging
import Recognition
import Store

/// One device connection's protocol logic, independent of the socket: messages in, events
/// (and possibly a close) out. The WebSocket handler feeds it one message at a time, so a
/// decode in progress holds back reading the next frame (backpressure).
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
    private(set) var conversation: ConversationRecord?
    /// The dialog and its confirmation guard; decides the grammar state listened with.
    private var dialog: ConversationMachine
    /// Checkouts confirmed in this session, for the orders' idempotency keys.
    private var confirmedCheckouts = 0
    private var audio: (any AudioStreamDecoder)?
    private var collector = UtteranceCollector()
    private(set) var utterances = 0
    /// Results sent since the client last said end_of_speech: when the endpointer already
    /// closed the utterance, a late end_of_speech with no new speech needs no answer.
    private var resultsSinceEndOfSpeech = 0
    private(set) var audioSeconds = 0.0
    private var logger: Logger

    init(services: TalkshopServices, device: Device, record: SessionRecord) {
        self.services = services
        self.device = device
        self.record = record
        dialog = ConversationMachine(catalog: services.catalog)
        logger = services.logger
        logger[metadataKey: "talkshop.session.id"] = .string(record.id)
        logger[metadataKey: "talkshop.device.id"] = .string(device.id)
    }

    private var state: String { dialog.dialogState }
    private var limits: ServerConfiguration.Limits { services.configuration.limits }

    private var endpointing: Endpointer.Configuration {
        var configuration = Endpointer.Configuration()
        configuration.maxUtterance = .milliseconds(Int(limits.maxUtteranceSeconds * 1_000))
        return configuration
    }

    mutating func handle(text: String) async -> Output {
        let message: ClientMessage
        do {
            message = try VoiceProtocol.decoder.decode(ClientMessage.self, from: Data(text.utf8))
        } catch {
            return failure(.badMessage, "not a valid message: \(Self.describe(error))")
        }
        switch message {
        case .start(let start): return begin(start)
        case .endOfSpeech: return await endOfSpeech()
        case .text(let typed): return interpret(typed: typed)
        case .cancel:
            collector = UtteranceCollector(configuration: endpointing)
            return Output(events: [.listening(state: state)])
        case .stop:
            return Output(events: [.bye(reason: "client_stop")], close: .normal("client_stop"))
        }
    }

    mutating func handle(binary bytes: [UInt8]) async -> Output {
        guard var decoder = audio else {
            return failure(.notStarted, "send a start message before audio")
        }
        let pcm: [Int16]
        do {
            pcm = try decoder.decode(bytes)
            audio = decoder
        } catch {
            services.metrics.increment("talkshop_errors_total{code=\"bad_audio\"}")
            // An Opus packet stream recovers at the next packet; a broken Ogg or PCM stream does not.
            if !(decoder is OpusPacketStreamDecoder) { audio = nil }
            let advice = audio == nil ? " (send start again)" : ""
            return Output(events: [.error(code: .badAudio, message: "\(error.identifier): \(error.detail)\(advice)")])
        }
        audioSeconds += Double(pcm.count) / Double(recognitionSampleRate)
        guard audioSeconds <= limits.maxSessionAudioSeconds else {
            services.metrics.increment("talkshop_errors_total{code=\"audio_limit\"}")
            let message = "this session has streamed more than \(Int(limits.maxSessionAudioSeconds)) s of audio"
            return Output(events: [.error(code: .audioLimit, message: message), .bye(reason: "audio_limit")], close: .policy("audio_limit"))
        }
        var output = Output(events: events(for: dialog.tick(at: Date())))
        for event in collector.append(pcm) {
            switch event {
            case .speechStarted: output.events.append(.speechStarted)
            case .utterance(let samples, _): output.events += await recognize(samples)
            case .noSpeech: output.events += [.rejected(reason: Rejection.noSpeech.rawValue, transcript: nil), .listening(state: state)]
            }
        }
        if collector.state == .ended { collector = UtteranceCollector(configuration: endpointing) }
        return output
    }

    private mutating func begin(_ start: ClientMessage.Start) -> Output {
        guard audio == nil else { return failure(.alreadyStarted, "the session has already started; send stop first") }
        do {
            audio = try Self.streamDecoder(for: start, maxPacketBytes: limits.maxMessageBytes)
        } catch {
            return failure(.unsupportedAudio, "\(error.identifier): \(error.detail)")
        }
        do {
            let resumed = try services.sessions.conversation(
                resuming: start.conversationId, customerId: device.customerId, initialState: IntentGrammar.defaultState)
            conversation = resumed
            try services.sessions.attach(sessionId: record.id, conversationId: resumed.id)
        } catch SessionLog.ResumeError.unknownConversation {
            audio = nil
            return failure(.unknownConversation, "no conversation \(start.conversationId ?? "") for this customer")
        } catch {
            audio = nil
            logger.error("cannot open conversation", metadata: ["error": "\(error)"])
            return failure(.internalError, "the conversation could not be opened")
        }
        collector = UtteranceCollector(configuration: endpointing)
        return Output(events: [
            .ready(sessionId: record.id, conversationId: conversation!.id, state: state), .listening(state: state),
        ])
    }

    private mutating func endOfSpeech() async -> Output {
        guard audio != nil else { return failure(.notStarted, "send a start message before end_of_speech") }
        defer { resultsSinceEndOfSpeech = 0 }
        if collector.state == .waiting && resultsSinceEndOfSpeech > 0 { return Output() }
        let ending = collector.finish()
        collector = UtteranceCollector(configuration: endpointing)
        switch ending {
        case .utterance(let samples, _)?:
            return Output(events: await recognize(samples))
        default:
            services.metrics.increment("talkshop_rejections_total{reason=\"no_speech\"}")
            return Output(events: [.rejected(reason: Rejection.noSpeech.rawValue, transcript: nil), .listening(state: state)])
        }
    }

    private mutating func recognize(_ samples: [Int16]) async -> [ServerEvent] {
        guard services.registry.allowUtterance(deviceId: device.id) else {
            return rateLimited()
        }
        utterances += 1
        services.metrics.increment("talkshop_utterances_total")
        let started = ContinuousClock.now
        let result: RecognitionResult
        do {
            result = try await services.recognizer.recognize(samples, state: state)
        } catch {
            logger.error("recognition failed", metadata: ["error": "\(error)"])
            services.metrics.increment("talkshop_errors_total{code=\"internal_error\"}")
            return [.error(code: .internalError, message: "recognition failed"), .listening(state: state)]
        }
        let elapsed = ContinuousClock.now - started
        resultsSinceEndOfSpeech += 1
        services.metrics.recordDecodeLatency(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return events(for: result) + [.listening(state: state)]
    }

    /// Reports the result and lets the dialog act on an accepted intent.
    private mutating func events(for result: RecognitionResult) -> [ServerEvent] {
        var events: [ServerEvent] = []
        if !result.transcript.isEmpty { events.append(.transcript(text: result.transcript)) }
        if let intent = result.intent {
            services.metrics.increment("talkshop_intents_total")
            events.append(.intent(name: intent.name, slots: intent.slots, confidence: result.confidence, text: intent.text))
            events += self.events(for: dialog.heard(intent, confidence: result.confidence, at: Date()))
        } else {
            let reason = result.rejection ?? .noMatch
            services.metrics.increment("talkshop_rejections_total{reason=\"\(reason.rawValue)\"}")
            events.append(.rejected(reason: reason.rawValue, transcript: result.transcript.isEmpty ? nil : result.transcript))
        }
        return events
    }

    /// Carries out what the dialog decided: prompts to say, orders to place or report.
    private mutating func events(for actions: [DialogAction]) -> [ServerEvent] {
        actions.flatMap { action -> [ServerEvent] in
            switch action {
            case .say(let text, let expect): return [.prompt(text: text, expect: expect)]
            case .placeOrder(let cart): return place(cart)
            case .cancelLatestOrder:
                return [.prompt(text: "Cancelling orders arrives with the order pipeline; please ask a person.", expect: "command")]
            case .reportOrderStatus, .reportDelivery:
                guard let latest = try? services.orders.orders(customerId: device.customerId).first else {
                    return [.prompt(text: "You have no orders yet.", expect: "command")]
                }
                return [
                    .order(id: latest.id, status: latest.status, total: "\(Money(minorUnits: latest.totalMinorUnits, currency: latest.currency))"),
                    .prompt(text: "Your latest order is \(latest.status.replacingOccurrences(of: "_", with: " ")).", expect: "command"),
                ]
            case .reorderUsual:
                return [.prompt(text: "I don't know your usual order yet.", expect: "command")]
            case .handOver:
                services.metrics.increment("talkshop_handovers_total")
                return [.prompt(text: "I'll connect you to a person.", expect: "none")]
            }
        }
    }

    /// Stores a confirmed order under an idempotency key unique to this confirmation.
    private mutating func place(_ cart: Cart) -> [ServerEvent] {
        confirmedCheckouts += 1
        let lines = (try? JSONEncoder().encode(cart.lines)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        let placement = OrderBook.Placement(
            customerId: device.customerId, deviceId: device.id, totalMinorUnits: cart.total.minorUnits, currency: cart.currency,
            linesJSON: lines, idempotencyKey: "\(record.id):\(confirmedCheckouts)")
        do {
            let (order, _) = try services.orders.place(placement)
            services.metrics.increment("talkshop_orders_total")
            return [
                .order(id: order.id, status: order.status, total: "\(cart.total)"),
                .prompt(text: "Your order is placed. The total is \(cart.total).", expect: "command"),
            ]
        } catch {
            logger.error("order placement failed", metadata: ["error": "\(error)"])
            return [.error(code: .internalError, message: "the order could not be placed; nothing was charged")]
        }
    }

    /// Typed input: the same conversation by text, for chat channels.
    private mutating func interpret(typed: String) -> Output {
        guard conversation != nil else { return failure(.notStarted, "send a start message before text") }
        guard services.registry.allowUtterance(deviceId: device.id) else { return Output(events: rateLimited()) }
        utterances += 1
        do {
            let intent = try services.recognizer.interpreter.interpret(typed, state: state)
            let result = RecognitionResult(
                transcript: IntentInterpreter.words(in: typed).joined(separator: " "), intent: intent,
                confidence: intent == nil ? 0 : 1, rejection: intent == nil ? .noMatch : nil, audioSeconds: 0)
            return Output(events: events(for: result) + [.listening(state: state)])
        } catch {
            return failure(.internalError, "\(error)")
        }
    }

    private func rateLimited() -> [ServerEvent] {
        services.metrics.increment("talkshop_errors_total{code=\"rate_limited\"}")
        return [
            .error(code: .rateLimited, message: "more than \(limits.utterancesPerMinutePerDevice) utterances in a minute"),
            .listening(state: state),
        ]
    }

    private func failure(_ code: ServerEvent.ErrorCode, _ message: String) -> Output {
        services.metrics.increment("talkshop_errors_total{code=\"\(code.rawValue)\"}")
        return Output(events: [.error(code: code, message: message)])
    }

    static func streamDecoder(for start: ClientMessage.Start, maxPacketBytes: Int) throws(AudioCodecError) -> any AudioStreamDecoder {
        let channels = start.channels ?? 1
        switch start.codec {
        case .opus:
            return try OpusPacketStreamDecoder(maxPacketBytes: maxPacketBytes)
        case .oggOpus:
            return try OggOpusStreamDecoder()
        case .pcmS16le:
            return try PCMStreamDecoder(encoding: .linear16(.littleEndian), sampleRate: start.sampleRate ?? 16_000, channels: channels)
        case .mulaw:
            return try PCMStreamDecoder(encoding: .muLaw, sampleRate: start.sampleRate ?? 8_000, channels: channels)
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON" : "invalid value at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: "\(error)"
        }
    }
}
