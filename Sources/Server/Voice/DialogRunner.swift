import Commerce
import Conversation
import Foundation
import Grammar
import Logging
import Store
import VoiceProtocol

/// One session's side of a conversation, after recognition: feeds the dialog machine what
/// was heard, carries out what it decides (prompts; placing, cancelling, reporting and "the
/// usual" through the `OrderDesk`), and keeps the conversation's state and its cart, shared
/// with the conversation's other sessions, in the store.
struct DialogRunner {
    private let services: TalkshopServices
    private let device: Device
    private let sessionId: String
    private let logger: Logger
    /// The shop's catalog as the session started (stock is checked again at placement).
    private let catalog: Catalog
    /// The dialog and its confirmation guard; decides the grammar state listened with.
    private var machine: ConversationMachine
    /// Carries out the dialog's order actions: guard facts, PIN, cancel, status, the usual.
    private let desk: OrderDesk
    private(set) var conversation: ConversationRecord?
    /// The conversation's cart as stored, shared with the conversation's other sessions.
    private var sharedCart: SharedCart?
    /// Checkouts confirmed in this session, for the orders' idempotency keys.
    private var confirmedCheckouts = 0
    /// Fingerprints of the spoken utterances since the last order: stored with the next order
    /// so a replay of the same stream is recognised.
    private var spokenFingerprints: [String] = []
    /// What the conversation comes to, for the analytics (the session adds what it heard).
    var tally = ConversationTally()
    /// Sends events to the device at once (`VoiceSession.announce`).
    var announce: Announcer?

    init(services: TalkshopServices, device: Device, sessionId: String, catalog: Catalog, logger: Logger) {
        self.services = services
        self.device = device
        self.sessionId = sessionId
        self.logger = logger
        self.catalog = catalog
        machine = ConversationMachine(catalog: catalog, rules: ConfirmationGuard(settings: services.configuration.guards))
        desk = OrderDesk(services: services, device: device, sessionId: sessionId, catalog: catalog, logger: logger)
    }

    /// What the dialog listens for: main, confirmation, pin.
    var state: DialogState { machine.dialogState }

    /// The question the dialog waits on, if any (a read-back, the PIN …).
    var question: ConversationTally.Question? { ConversationTally.question(machine.pending) }

    /// Starts or resumes the customer's conversation; returns the cart event for a resumed
    /// cart. A resumed conversation keeps its cart (re-priced); a pending confirmation never
    /// survives a reconnect: it must follow its read-back in the same session.
    mutating func open(resuming conversationId: String?) async throws -> [ServerEvent] {
        let resumed = try await services.sessions.conversation(
            resuming: conversationId, customerId: device.customerId, initialState: DialogState.main.rawValue)
        try await services.sessions.attach(sessionId: sessionId, conversationId: resumed.id)
        let shared = try SharedCart(conversation: resumed, sessions: services.sessions)
        conversation = resumed
        sharedCart = shared
        let untold = conversationId == nil ? [] : await desk.ordersNotTold(conversationId: resumed.id)
        guard !shared.lines.isEmpty else { return untold }
        machine = ConversationMachine(catalog: catalog, rules: machine.rules, cart: repriced(shared.lines))
        return untold + [cartEvent()]
    }

    /// Time passed: a confirmation window may have run out.
    mutating func tick() async -> [ServerEvent] {
        let asking = question
        defer { tally.question(from: asking, to: question, answeredWith: nil) }
        return await perform(machine.tick(at: services.clock.now))
    }

    /// Nothing usable was heard.
    mutating func rejected() async -> [ServerEvent] {
        let asking = question
        defer { tally.question(from: asking, to: question, answeredWith: nil) }
        return await perform(machine.rejected(at: services.clock.now))
    }

    /// An accepted intent. `fingerprint`: the spoken utterance's (nil for typed text or keys);
    /// `transcript` is what the broadcast detector compares across customers.
    mutating func heard(_ intent: Intent, confidence: Double, transcript: String, fingerprint: String?) async -> [ServerEvent] {
        if let fingerprint {
            spokenFingerprints.append(fingerprint)
            if state == .main {
                services.broadcasts.heard(transcript, intent: intent.name, customerId: device.customerId, at: services.clock.now)
            }
        }
        let cartBefore = machine.cart.lines
        let asking = question
        defer {
            tally.question(from: asking, to: question, answeredWith: intent.command)
            if !machine.cart.isEmpty { tally.sawCart() }
        }
        await continueFromSharedCart()
        // The guard's facts are read only if this turn may propose an order.
        var facts = ConfirmationGuard.Facts()
        if machine.needsFacts(for: intent) {
            switch await desk.guardFacts() {
            case .success(let read): facts = read
            case .failure(let refused):
                // Said at once; a read-back the customer was answering is not left waiting.
                machine.abandonPending()
                return refused.events
            }
        }
        let actions = machine.heard(intent, confidence: confidence, at: services.clock.now, facts: facts)
        var events = await perform(actions)
        events += await saveConversation()
        if machine.cart.lines != cartBefore { events.append(cartEvent()) }
        return events
    }

    /// Spoken replies play until `end`: a question asked in them is answered only after.
    mutating func repliesPlay(until end: Date) {
        machine.answerWindow(startsAt: end)
    }

    /// Carries out what the dialog decided: prompts to say, orders to place, cancel or report.
    private mutating func perform(_ actions: [DialogAction]) async -> [ServerEvent] {
        var events: [ServerEvent] = []
        for action in actions {
            switch action {
            case .say(let prompt): events.append(.init(prompt))
            case .placeOrder(let cart, let pin, let repeatConfirmed): events += await place(cart, pin: pin, repeatConfirmed: repeatConfirmed)
            case .cancelLatestOrder:
                let said = await desk.cancelLatestOrder()
                if said.contains(where: { if case .order(_, OrderStatus.cancelled.rawValue, _) = $0 { true } else { false } }) {
                    tally.count(ContactCounts.cancelled)
                }
                events += said
            case .reportOrderStatus, .reportDelivery:
                tally.count(ContactCounts.statusAnswered)
                events += await desk.report(delivery: action == .reportDelivery)
            case .reorderUsual: events += await reorderUsual()
            case .refuse(let refusal):
                tally.refused(refusal)
                events.append(.init(.refusal(refusal)))
            case .handOver:
                tally.count(ContactCounts.handedOver)
                services.metrics.increment(.handovers)
                logger.notice("hand-over to a person requested")
                events += [.handover(conversationId: conversation?.id ?? ""), .init(Prompt.handOver)]
            }
        }
        return events
    }

    /// Checks the PIN if one was asked for, then places and pays for the order under an
    /// idempotency key unique to this confirmation. The order consumes the cart version that
    /// was read back, and the guard's spending and repeat rules are checked again as it is
    /// written (`OrderBook.place`), so sessions confirming at once cannot both pass them.
    private mutating func place(_ cart: Cart, pin: String?, repeatConfirmed: Bool) async -> [ServerEvent] {
        if let pin, let refusal = await desk.refusal(checkingPIN: pin) {
            if refusal.wrongPIN { tally.count(ContactCounts.pinFailed) }
            return refusal.events
        }
        let method: PaymentMethod
        switch await desk.paymentMethod() {
        case .success(let saved): method = saved
        case .failure(let refused): return refused.events
        }
        confirmedCheckouts += 1
        let now = services.clock.now
        let placement = OrderPlacement(
            customerId: device.customerId, deviceId: device.id, lines: cart.lines, total: cart.total, paymentMethodId: method.id,
            addressId: await desk.deliveryAddressId(), idempotencyKey: "\(sessionId):\(confirmedCheckouts)", source: sessionId,
            fingerprints: spokenFingerprints, cart: sharedCart?.claim,
            spendingCheck: desk.spendingCheck(cart, rules: machine.rules, repeatConfirmed: repeatConfirmed, at: now))
        switch await desk.place(placement, cart: cart, paidWith: method, at: now, announce: announce) {
        case .written(let order, let paid, let events):
            // The order consumed the cart version it was read from (emptied in the store): the
            // session continues from that version; a failed payment's cart is saved back at the
            // end of the turn.
            _ = await storedCartIfChanged()
            spokenFingerprints = []
            tally.ordered(paid: paid, at: now)
            // The turns that led to the order point at it until they expire.
            services.turns.linkTurns(ofSession: sessionId, toOrder: order.id)
            if paid { machine.orderPlaced() }
            return events
        case .cartTakenElsewhere(let refusal):
            await continueFromSharedCart()
            return desk.prompt(for: refusal, readBack: machine.readBack(machine.cart))
        case .confirmRepeat(let minutes):
            return await perform(machine.confirmRepeat(of: cart, minutesAgo: minutes, at: now))
        case .refused(let events):
            return events
        case .guardRefused(let refusal):
            return await perform([.refuse(refusal)])
        }
    }

    /// Offers the customer's pinned or most frequent order for the usual read-back.
    private mutating func reorderUsual() async -> [ServerEvent] {
        switch await desk.usualCart() {
        case .success(let cart):
            switch await desk.guardFacts() {
            case .success(let facts): await perform(machine.propose(cart, intro: Prompt.usualIntro, at: services.clock.now, facts: facts))
            case .failure(let refused): refused.events
            }
        case .failure(let refused): refused.events
        }
    }

    /// The cart as the device shows it: names, options, prices.
    private func cartEvent() -> ServerEvent {
        let lines = machine.cart.lines.map { line in
            ServerEvent.CartLine(
                product: line.productId, name: catalog.product(line.productId)?.name ?? line.productId,
                options: line.options.keys.sorted().map { line.options[$0]! }, quantity: line.quantity, total: "\(line.total)")
        }
        return .cart(lines: lines, total: "\(machine.cart.total)")
    }

    /// A turn starts from the conversation's stored cart when another session changed it (a
    /// pending read-back keeps the cart it read; the store refuses it if that cart is gone).
    private mutating func continueFromSharedCart() async {
        guard machine.pending == nil, let lines = await storedCartIfChanged() else { return }
        machine.cartChanged(to: repriced(lines))
    }

    /// The stored cart's lines if another session changed it since this one last looked
    /// (`SharedCart.refresh`); nil if not, or if it cannot be read (logged).
    private mutating func storedCartIfChanged() async -> [Cart.Line]? {
        do { return try await sharedCart?.refresh() } catch {
            logger.error("reading the shared cart failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// Saves the dialog state, and the cart if this turn changed it. When another session
    /// changed the cart during this turn, its cart wins and the customer is told.
    private mutating func saveConversation() async -> [ServerEvent] {
        guard let conversation, var shared = sharedCart else { return [] }
        defer { sharedCart = shared }
        do {
            try await services.sessions.save(conversationId: conversation.id, state: state.rawValue)
            if try await shared.save(machine.cart.lines) { return [] }
            if let lines = try await shared.refresh() { machine.cartChanged(to: repriced(lines)) }
            return [.init(Prompt.cartChangedElsewhere(readBack: machine.readBack(machine.cart)))]
        } catch {
            logger.error("saving the conversation failed", metadata: ["error": "\(error)"])
            return []
        }
    }

    /// Stored cart lines at today's prices; lines of products gone from the catalog or out of
    /// stock are dropped (`Cart.add` refuses them, and that refusal is the intended filter).
    private func repriced(_ lines: [Cart.Line]) -> Cart {
        var cart = Cart(currency: catalog.currency)
        for line in lines { try? cart.add(line.productId, quantity: line.quantity, options: line.options, from: catalog) }
        return cart
    }
}
