import AudioCodec
import Commerce
import Conversation
import Foundation
import FrontEnd
import Grammar
import Logging
import Recognition
import Speech
import Store
import VoiceProtocol

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
    /// The conversation's cart as stored, shared with the conversation's other sessions.
    private var sharedCart: SharedCart?
    /// The shop's catalog as the session started (stock is checked again at placement).
    private let catalog: Catalog
    /// The dialog and its confirmation guard; decides the grammar state listened with.
    private var dialog: ConversationMachine
    /// Carries out the dialog's order actions: guard facts, PIN, cancel, status, the usual.
    private let desk: OrderDesk
    /// Checkouts confirmed in this session, for the orders' idempotency keys.
    private var confirmedCheckouts = 0
    /// Fingerprints of the spoken utterances since the last order: stored with the next order
    /// so a replay of the same stream is recognised.
    private var spokenFingerprints: [String] = []
    /// The retention policy and the customer's consent both allow storing audio.
    private var storesAudio = false
    private var audio: (any AudioStreamDecoder)?
    private var collector = UtteranceCollector()
    /// Denoises the audio in a noisy room before the endpointer hears it.
    private let frontEnd: AudioFrontEnd
    /// When an utterance ends, for this device's class (`RecognitionSettings`).
    private let endpointing: Endpointer.Configuration
    /// Decoded samples received in this session, and how many of the samples the front end
    /// passed on (the stream the collector hears) came before the current collector started:
    /// together with the front end's lag they place an utterance in what was received.
    private var receivedSamples = 0
    private var collectorOrigin = 0
    /// An Opus device's packets, kept so its utterances are stored as received.
    private var packets: ReceivedPackets?
    /// Where in the stream the utterance being recognised lies (nil for typed text).
    private var utteranceRange: Range<Int>?
    /// The device asked for the words so far while it speaks; the last ones sent.
    private var sendsPartials = false
    private var lastPartial: [String] = []
    /// The words the endpointer was last told the completeness of.
    private var sentenceWords: [String] = []
    /// The utterance in progress, searched while it is spoken, and the dialog state whose
    /// grammar it is searched with (nil when no decoder was free: it is decoded whole at the end).
    private var streamed: (utterance: StreamingUtterance, state: DialogState)?
    private(set) var utterances = 0
    /// Results sent since the client last said end_of_speech: when the endpointer already
    /// closed the utterance, a late end_of_speech with no new speech needs no answer.
    private var resultsSinceEndOfSpeech = 0
    private(set) var audioSeconds = 0.0
    private var logger: Logger

    init(services: TalkshopServices, device: Device, record: SessionRecord, catalog: Catalog) {
        self.services = services
        self.device = device
        self.record = record
        self.catalog = catalog
        dialog = ConversationMachine(catalog: catalog, rules: ConfirmationGuard(settings: services.configuration.guards))
        frontEnd = AudioFrontEnd(configuration: services.configuration.frontEnd)
        var endpointing = services.configuration.recognition.endpointing(deviceClass: device.deviceClass)
        endpointing.maxUtterance = .milliseconds(Int(services.configuration.limits.maxUtteranceSeconds * 1_000))
        self.endpointing = endpointing
        logger = services.logger
        logger[metadataKey: "talkshop.session.id"] = .string(record.id)
        logger[metadataKey: "talkshop.device.id"] = .string(device.id)
        desk = OrderDesk(services: services, device: device, sessionId: record.id, catalog: catalog, logger: logger)
    }

    /// What the dialog listens for: main, confirmation, pin, …
    var state: DialogState { dialog.dialogState }
    /// The codec spoken replies are sent in, if the device asked for them.
    private(set) var replyCodec: ReplyCodec?
    private var limits: ServerConfiguration.Limits { services.configuration.limits }

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
        case .start(let start): return begin(start)
        case .endOfSpeech: return await endOfSpeech()
        case .text(let typed): return await interpret(typed: typed)
        case .cancel:
            dropStreamedUtterance()
            restartCollector()
            return Output(events: [.listening(state: state.rawValue)])
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
            services.metrics.increment(.errors, label: "bad_audio")
            // An Opus packet stream recovers at the next packet; a broken Ogg or PCM stream does not.
            if !(decoder is OpusPacketStreamDecoder) { audio = nil }
            let advice = audio == nil ? " (send start again)" : ""
            return Output(events: [.error(code: .badAudio, message: "\(error.identifier): \(error.detail)\(advice)")])
        }
        receivedSamples += pcm.count
        let heard = await listen(pcm)
        packets?.append(bytes, samples: pcm.count)
        let seconds = Double(pcm.count) / Double(recognitionSampleRate)
        audioSeconds += seconds
        services.metrics.increment(.audioSeconds, by: seconds)
        guard audioSeconds <= limits.maxSessionAudioSeconds else {
            services.metrics.increment(.errors, label: "audio_limit")
            let message = "this session has streamed more than \(Int(limits.maxSessionAudioSeconds)) s of audio"
            return Output(events: [.error(code: .audioLimit, message: message), .bye(reason: "audio_limit")], close: .policy("audio_limit"))
        }
        var output = Output(events: await events(for: dialog.tick(at: services.clock.now)))
        for event in collector.append(heard) {
            switch event {
            case .speechStarted:
                output.events.append(.speechStarted)
                await startStreamedUtterance()
            case .utterance(let samples, _):
                streamed?.utterance.feed(collector.takeUnstreamed())
                let heard = heardRange(of: samples)
                utteranceRange = received(heard)
                output.events += await recognize(samples, heard: heard)
            case .noSpeech:
                dropStreamedUtterance()
                output.events += [.rejected(reason: .noSpeech, transcript: nil), .listening(state: state.rawValue)]
            }
        }
        // In 100 ms pieces: fewer hops to the decoding queue, and at the end of speech at most
        // 100 ms is left to search (or the opening of a short utterance, up to
        // `StreamingUtterance.meanEstimate`, which the search waits for).
        if let streamed {
            streamed.utterance.feed(
                collector.takeUnstreamed(minimum: recognitionSampleRate / 10), searchNow: collector.needsWordsSoon)
            let words = streamed.utterance.partialWords
            if endpointing.endsSentencesSooner, words != sentenceWords {
                sentenceWords = words
                collector.sentence = services.recognizer.completeness(of: words, state: streamed.state)
            }
            if sendsPartials, state != .pin, !words.isEmpty, words != lastPartial {
                lastPartial = words
                output.events.append(.partial(text: words.joined(separator: " ")))
            }
        }
        if collector.state == .ended { restartCollector() }
        if collector.state == .waiting {
            // Keep enough for the next utterance's pre-roll, no more.
            packets?.discard(before: receivedSamples - recognitionSampleRate)
        }
        return output
    }

    private mutating func restartCollector() {
        collector = UtteranceCollector(configuration: endpointing)
        collectorOrigin = frontEnd.producedSamples
        sentenceWords = []
    }

    /// Where an utterance the collector just ended lies in the stream it heard (read before
    /// the collector restarts).
    private func heardRange(of samples: [Int16]) -> Range<Int> {
        let start = collectorOrigin + collector.utteranceStart
        return start..<(start + samples.count)
    }

    /// The same stretch in what was received (the front end changes its lag only between
    /// utterances).
    private func received(_ heard: Range<Int>) -> Range<Int> {
        (heard.lowerBound + frontEnd.lag)..<(heard.upperBound + frontEnd.lag)
    }

    /// The audio as the endpointer and decoder get it: denoised in a noisy room. A front end
    /// that fails passes the audio on as it came (the session must not end for it).
    private func listen(_ pcm: [Int16]) async -> [Int16] {
        do {
            return try await frontEnd.process(pcm, mayChange: collector.state == .waiting)
        } catch {
            services.metrics.increment(.errors, label: "front_end")
            logger.error("the front end failed; this audio is not denoised", metadata: ["error": "\(error)"])
            return pcm
        }
    }

    /// Lends the utterance a decoder now, so it is searched while the customer speaks.
    private mutating func startStreamedUtterance() async {
        dropStreamedUtterance()
        do {
            lastPartial = []
            let partials = sendsPartials && state != .pin
            let tracked = partials || endpointing.endsSentencesSooner
            if let utterance = try await services.recognizer.pool(denoised: frontEnd.isDenoising).beginUtterance(state: state, partials: tracked) {
                streamed = (utterance, state)
            } else {
                services.metrics.increment(.decodedAtEnd)
            }
        } catch {
            logger.error("starting a decoder failed", metadata: ["error": "\(error)"])
        }
    }

    /// The connection is over: an utterance cut off mid-way gives its decoder back now.
    mutating func end() {
        dropStreamedUtterance()
    }

    private mutating func dropStreamedUtterance() {
        streamed?.utterance.abandon()
        streamed = nil
    }

    private mutating func begin(_ start: ClientMessage.Start) -> Output {
        guard audio == nil else { return failure(.alreadyStarted, "the session has already started; send stop first") }
        guard start.replies == nil || start.replies == "text" || start.replies == "audio" else {
            return failure(.badMessage, "replies must be \"text\" or \"audio\"")
        }
        do {
            audio = try Self.streamDecoder(for: start, maxPacketBytes: limits.maxMessageBytes)
        } catch {
            return failure(.unsupportedAudio, "\(error.identifier): \(error.detail)")
        }
        do {
            let resumed = try services.sessions.conversation(
                resuming: start.conversationId, customerId: device.customerId, initialState: DialogState.main.rawValue)
            conversation = resumed
            try services.sessions.attach(sessionId: record.id, conversationId: resumed.id)
            // A resumed conversation keeps its cart (re-priced); a pending confirmation never
            // survives a reconnect: it must follow its read-back in the same session.
            let shared = try SharedCart(conversation: resumed, sessions: services.sessions)
            sharedCart = shared
            if !shared.lines.isEmpty {
                dialog = ConversationMachine(catalog: catalog, rules: dialog.rules, cart: repriced(shared.lines))
            }
        } catch SessionLog.ResumeError.unknownConversation {
            audio = nil
            return failure(.unknownConversation, "no conversation \(start.conversationId ?? "") for this customer")
        } catch {
            audio = nil
            logger.error("cannot open conversation", metadata: ["error": "\(error)"])
            return failure(.internalError, "the conversation could not be opened")
        }
        if start.replies == "audio" { replyCodec = Self.replyCodec(for: start.replyCodec ?? start.codec) }
        sendsPartials = start.partials == true
        let consent = (try? services.customers.customer(device.customerId))?.audioConsent ?? false
        storesAudio = services.policy.storesAudio && consent
        packets = storesAudio && start.codec == .opus ? ReceivedPackets() : nil
        restartCollector()
        var events: [ServerEvent] = [.ready(sessionId: record.id, conversationId: conversation!.id, state: state.rawValue)]
        if !dialog.cart.isEmpty { events.append(cartEvent()) }
        return Output(events: events + [.listening(state: state.rawValue)])
    }

    private mutating func endOfSpeech() async -> Output {
        guard audio != nil else { return failure(.notStarted, "send a start message before end_of_speech") }
        defer { resultsSinceEndOfSpeech = 0 }
        if collector.state == .waiting && resultsSinceEndOfSpeech > 0 { return Output() }
        let ending = collector.finish()
        let unstreamed = collector.takeUnstreamed()
        guard case .utterance(let samples, _)? = ending else {
            restartCollector()
            dropStreamedUtterance()
            services.metrics.increment(.rejections, label: "no_speech")
            return Output(events: [.rejected(reason: .noSpeech, transcript: nil), .listening(state: state.rawValue)])
        }
        let heard = heardRange(of: samples)
        utteranceRange = received(heard)
        restartCollector()
        streamed?.utterance.feed(unstreamed)
        return Output(events: await recognize(samples, heard: heard))
    }

    /// `heard`: where the utterance lies in the stream the collector heard.
    private mutating func recognize(_ samples: [Int16], heard: Range<Int>) async -> [ServerEvent] {
        // A dialog state that changed while the customer spoke (a confirmation window ran
        // out) needs the other grammar: the utterance is then decoded whole.
        let searched = streamed?.state == state ? streamed?.utterance : nil
        if searched == nil { dropStreamedUtterance() }
        streamed = nil
        guard services.registry.allowUtterance(deviceId: device.id, at: services.clock.now) else {
            searched?.abandon()
            return rateLimited()
        }
        utterances += 1
        services.metrics.increment(.utterances)
        let started = ContinuousClock.now
        let result: RecognitionResult
        do {
            result = try await services.recognizer.recognize(
                samples, state: state, streamed: searched, retainedDecibels: frontEnd.retainedDecibels(over: heard))
        } catch {
            logger.error("recognition failed", metadata: ["error": "\(error)"])
            services.metrics.increment(.errors, label: "internal_error")
            return [.error(code: .internalError, message: "recognition failed"), .listening(state: state.rawValue)]
        }
        let elapsed = ContinuousClock.now - started
        resultsSinceEndOfSpeech += 1
        services.metrics.recordDecodeLatency(
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return await events(for: result, spoken: samples) + [.listening(state: state.rawValue)]
    }

    /// Reports the result and lets the dialog act on an accepted intent. `samples` is the
    /// utterance's audio (nil for typed text). While a PIN is awaited nothing of what was
    /// heard is echoed or stored.
    private mutating func events(for result: RecognitionResult, spoken samples: [Int16]?) async -> [ServerEvent] {
        let secret = state == .pin
        let fingerprint = samples.map(UtteranceFingerprint.of)
        if let fingerprint, (try? services.orders.hasFingerprint(fingerprint)) == true {
            services.metrics.increment(.rejections, label: ServerEvent.RejectionReason.replayed.rawValue)
            logger.warning("replayed audio: this utterance already led to an order")
            record(result, outcome: ServerEvent.RejectionReason.replayed.rawValue, secret: secret, samples: samples)
            return [.rejected(reason: .replayed, transcript: nil)]
        }
        var events: [ServerEvent] = []
        if !result.transcript.isEmpty && !secret { events.append(.transcript(text: result.transcript)) }
        guard let intent = result.intent else {
            let reason = result.rejection ?? .noMatch
            services.metrics.increment(.rejections, label: reason.rawValue)
            record(result, outcome: "rejected:\(reason.rawValue)", secret: secret, samples: samples)
            events.append(.rejected(reason: .init(reason), transcript: result.transcript.isEmpty || secret ? nil : result.transcript))
            return events + (await self.events(for: dialog.rejected(at: services.clock.now)))
        }
        services.metrics.increment(.intents)
        record(result, outcome: "accepted", secret: secret, samples: samples)
        if secret {
            events.append(.intent(name: intent.name, slots: [:], confidence: result.confidence, text: ""))
        } else {
            events.append(.intent(name: intent.name, slots: intent.slots, confidence: result.confidence, text: intent.text))
        }
        if let fingerprint {
            spokenFingerprints.append(fingerprint)
            if state == .main {
                services.broadcasts.heard(result.transcript, intent: intent.name, customerId: device.customerId, at: services.clock.now)
            }
        }
        let cartBefore = dialog.cart.lines
        continueFromSharedCart()
        let facts = desk.guardFacts()
        let actions = dialog.heard(intent, confidence: result.confidence, at: services.clock.now, facts: facts)
        events += await self.events(for: actions)
        events += saveConversation()
        if dialog.cart.lines != cartBefore { events.append(cartEvent()) }
        return events
    }

    /// Stores the turn, sealed, with its audio where allowed; a PIN turn keeps neither words,
    /// slots nor audio. The archive does it behind the session.
    private func record(_ result: RecognitionResult, outcome: String, secret: Bool, samples: [Int16]?) {
        guard let conversation else { return }
        let turn = Turn(
            conversationId: conversation.id, sessionId: record.id, customerId: device.customerId, deviceClass: device.deviceClass,
            transcript: secret ? nil : result.transcript, intent: result.intent?.name, confidence: result.confidence,
            outcome: secret ? "\(outcome) (pin withheld)" : outcome)
        services.turns.record(turn, audio: secret ? nil : storedAudio(samples), deviceId: device.id)
    }

    /// An Opus device's utterance as the packets it sent; other codecs' as samples to encode.
    private func storedAudio(_ samples: [Int16]?) -> TurnArchive.Audio? {
        guard storesAudio, let samples else { return nil }
        if let packets, let utteranceRange, let oggOpus = try? packets.oggOpus(covering: utteranceRange) {
            return .oggOpus(oggOpus, seconds: Double(samples.count) / Double(recognitionSampleRate))
        }
        return .samples(samples)
    }

    /// Spoken replies play until `end`: a question asked in them is answered only after.
    mutating func repliesPlay(until end: Date) {
        dialog.answerWindow(startsAt: end)
    }

    /// The cart as the device shows it: names, options, prices.
    private func cartEvent() -> ServerEvent {
        let lines = dialog.cart.lines.map { line in
            ServerEvent.CartLine(
                product: line.productId, name: catalog.product(line.productId)?.name ?? line.productId,
                options: line.options.keys.sorted().map { line.options[$0]! }, quantity: line.quantity, total: "\(line.total)")
        }
        return .cart(lines: lines, total: "\(dialog.cart.total)")
    }

    /// A turn starts from the conversation's stored cart when another session changed it (a
    /// pending read-back keeps the cart it read; the store refuses it if that cart is gone).
    private mutating func continueFromSharedCart() {
        guard dialog.pending == nil, let lines = storedCartIfChanged() else { return }
        dialog.cartChanged(to: repriced(lines))
    }

    /// The stored cart's lines if another session changed it since this one last looked
    /// (`SharedCart.refresh`); nil if not, or if it cannot be read (logged).
    private mutating func storedCartIfChanged() -> [Cart.Line]? {
        do { return try sharedCart?.refresh() } catch {
            logger.error("reading the shared cart failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Saves the dialog state, and the cart if this turn changed it. When another session
    /// changed the cart during this turn, its cart wins and the customer is told.
    private mutating func saveConversation() -> [ServerEvent] {
        guard let conversation, var shared = sharedCart else { return [] }
        defer { sharedCart = shared }
        do {
            try services.sessions.save(conversationId: conversation.id, state: state.rawValue)
            if try shared.save(dialog.cart.lines) { return [] }
            if let lines = try shared.refresh() { dialog.cartChanged(to: repriced(lines)) }
            return [.prompt(text: "Your cart was just changed on another device. \(dialog.readBack(dialog.cart))", expect: "command")]
        } catch {
            logger.error("saving the conversation failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Stored cart lines at today's prices; lines of products gone from the catalog are dropped.
    private func repriced(_ lines: [Cart.Line]) -> Cart {
        var cart = Cart(currency: catalog.currency)
        for line in lines { try? cart.add(line.productId, quantity: line.quantity, options: line.options, from: catalog) }
        return cart
    }

    /// Carries out what the dialog decided: prompts to say, orders to place, cancel or report.
    private mutating func events(for actions: [DialogAction]) async -> [ServerEvent] {
        var events: [ServerEvent] = []
        for action in actions {
            switch action {
            case .say(let text, let expect): events.append(.prompt(text: text, expect: expect))
            case .placeOrder(let cart, let pin, let repeatConfirmed): events += await place(cart, pin: pin, repeatConfirmed: repeatConfirmed)
            case .cancelLatestOrder: events += await desk.cancelLatestOrder()
            case .reportOrderStatus: events += desk.report(delivery: false)
            case .reportDelivery: events += desk.report(delivery: true)
            case .reorderUsual: events += await reorderUsual()
            case .handOver:
                services.metrics.increment(.handovers)
                logger.notice("hand-over to a person requested")
                events += [.handover(conversationId: conversation?.id ?? ""), .prompt(text: "I'll connect you to a person.", expect: "none")]
            }
        }
        return events
    }

    /// Checks the PIN if one was asked for, then places and pays for the order under an
    /// idempotency key unique to this confirmation. The order consumes the cart version that
    /// was read back, and the guard's spending and repeat rules are checked again as it is
    /// written (`OrderBook.place`), so sessions confirming at once cannot both pass them.
    private mutating func place(_ cart: Cart, pin: String?, repeatConfirmed: Bool) async -> [ServerEvent] {
        if let pin, let refusal = desk.refusal(checkingPIN: pin) { return refusal }
        let method: PaymentMethod
        switch desk.paymentMethod() {
        case .success(let saved): method = saved
        case .failure(let refused): return refused.events
        }
        confirmedCheckouts += 1
        let now = services.clock.now
        let placement = OrderBook.Placement(
            customerId: device.customerId, deviceId: device.id, lines: cart.lines, total: cart.total, paymentMethodId: method.id,
            addressId: (try? services.customers.defaultAddress(customerId: device.customerId))?.id,
            idempotencyKey: "\(record.id):\(confirmedCheckouts)", source: record.id, fingerprints: spokenFingerprints,
            cart: sharedCart?.claim, recheck: desk.recheck(cart, rules: dialog.rules, repeatConfirmed: repeatConfirmed, at: now))
        switch await desk.place(placement, cart: cart, paidWith: method, at: now) {
        case .written(let order, let paid, let events):
            // The order consumed the cart version it was read from (emptied in the store): the
            // session continues from that version; a failed payment's cart is saved back at the
            // end of the turn.
            _ = storedCartIfChanged()
            spokenFingerprints = []
            // The turns that led to the order point at it until they expire.
            services.turns.linkTurns(ofSession: record.id, toOrder: order.id)
            if paid { dialog.orderPlaced() }
            return events
        case .cartTakenElsewhere(let refusal):
            continueFromSharedCart()
            return desk.prompt(for: refusal, readBack: dialog.readBack(dialog.cart))
        case .confirmRepeat(let minutes):
            return await events(for: dialog.confirmRepeat(of: cart, minutesAgo: minutes, at: now))
        case .refused(let events):
            return events
        }
    }

    /// Offers the customer's pinned or most frequent order for the usual read-back.
    private mutating func reorderUsual() async -> [ServerEvent] {
        switch desk.usualCart() {
        case .success(let cart): await events(for: dialog.propose(cart, intro: "Your usual. ", at: services.clock.now, facts: desk.guardFacts()))
        case .failure(let refused): refused.events
        }
    }

    /// Typed input: the same conversation by text, for chat channels.
    private mutating func interpret(typed: String) async -> Output {
        let interpreter = services.recognizer.interpreter
        return await command(given: "text") { state in
            let intent = try interpreter.interpret(typed, state: state)
            return RecognitionResult(
                transcript: IntentInterpreter.words(in: typed).joined(separator: " "), intent: intent,
                confidence: intent == nil ? 0 : 1, rejection: intent == nil ? .noMatch : nil, audioSeconds: 0)
        }
    }

    /// A key pressed on a phone's keypad, which the bridge already knows the meaning of:
    /// acted on like a typed command, with no words to parse. Its text never holds the key
    /// pressed (a PIN's digits are secret).
    mutating func handle(keyed intent: Intent) async -> Output {
        await command(given: "keys") { _ in
            RecognitionResult(transcript: intent.text, intent: intent, confidence: 1, rejection: nil, audioSeconds: 0)
        }
    }

    /// A command given without audio (`given`: typed text or keys): held to the same start
    /// and rate limit as an utterance, then acted on. `result` reads it in the current state.
    private mutating func command(given: String, _ result: (DialogState) throws -> RecognitionResult) async -> Output {
        guard conversation != nil else { return failure(.notStarted, "send a start message before \(given)") }
        guard services.registry.allowUtterance(deviceId: device.id, at: services.clock.now) else { return Output(events: rateLimited()) }
        utterances += 1
        do {
            let heard = try result(state)
            return Output(events: await events(for: heard, spoken: nil) + [.listening(state: state.rawValue)])
        } catch {
            return failure(.internalError, "\(error)")
        }
    }

    private func rateLimited() -> [ServerEvent] {
        services.metrics.increment(.errors, label: "rate_limited")
        return [
            .error(code: .rateLimited, message: "more than \(limits.utterancesPerMinutePerDevice) utterances in a minute"),
            .listening(state: state.rawValue),
        ]
    }

    private func failure(_ code: ServerEvent.ErrorCode, _ message: String) -> Output {
        services.metrics.increment(.errors, label: code.rawValue)
        return Output(events: [.error(code: code, message: message)])
    }

    static func replyCodec(for codec: AudioCodecName) -> ReplyCodec {
        switch codec {
        case .opus, .oggOpus: .opus
        case .mulaw: .mulaw
        case .pcmS16le: .l16
        }
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

}

extension ConfirmationGuard.Facts {
    /// The spending and repeat facts as the store read them (`OrderBook.SpendingFacts`).
    mutating func include(_ stored: OrderBook.SpendingFacts) {
        spentTodayMinorUnits = stored.spentTodayMinorUnits
        recentOrders = stored.recentOrders.map { .init(signature: $0.signature, placedAt: $0.placedAt) }
    }
}
