import Commerce
import Conversation
import Foundation
import Grammar
import Logging
import Store
import Synchronization

/// One session's side of a conversation, after recognition: feeds the dialog machine what
/// was heard, carries out what it decides (placing, cancelling, reporting and "the usual"
/// through the `OrderDesk`), and keeps the conversation's state and its cart, shared with the
/// conversation's other sessions, in the store. It answers with `DialogReply`s; each channel
/// says them its own way.
struct DialogRunner {
    private let services: DialogServices
    private let device: Device
    private let sessionId: String
    private let logger: Logger
    /// The shop's catalog as the session started (stock is checked again at placement).
    let catalog: Catalog
    /// The dialog and its confirmation guard; decides the grammar state listened with.
    private var machine: ConversationMachine
    /// Carries out the dialog's order actions: guard facts, the confirmed order, cancel, status, the usual.
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
    /// Tells the customer at once that an order was written (`VoiceSession.announce`); without
    /// it the order is told with the turn's other replies.
    var announce: Announcer?

    init(services: DialogServices, device: Device, sessionId: String, catalog: Catalog, logger: Logger) {
        self.services = services
        self.device = device
        self.sessionId = sessionId
        self.logger = logger
        self.catalog = catalog
        machine = ConversationMachine(catalog: catalog, rules: ConfirmationGuard(settings: services.guards))
        desk = OrderDesk(services: services, device: device, sessionId: sessionId, catalog: catalog, logger: logger)
    }

    /// What the dialog listens for: main, confirmation, pin.
    var state: DialogState { machine.dialogState }

    /// The question the dialog waits on, if any (a read-back, the PIN …).
    var question: ConversationTally.Question? { ConversationTally.question(machine.pending) }

    /// The cart as the dialog holds it.
    var cart: Cart { machine.cart }

    /// Starts or resumes the customer's conversation; returns the orders not yet told and the
    /// resumed cart. A resumed conversation keeps its cart (re-priced); a pending confirmation
    /// never survives a reconnect: it must follow its read-back in the same session.
    mutating func open(resuming conversationId: String?) async throws -> [DialogReply] {
        let resumed = try await services.sessions.conversation(
            resuming: conversationId, customerId: device.customerId, initialState: DialogState.main.rawValue)
        try await services.sessions.attach(sessionId: sessionId, conversationId: resumed.id)
        let shared = try SharedCart(conversation: resumed, sessions: services.sessions)
        conversation = resumed
        sharedCart = shared
        let untold = conversationId == nil ? [] : await desk.ordersNotTold(conversationId: resumed.id).flatMap(notTold)
        guard !shared.lines.isEmpty else { return untold }
        machine = ConversationMachine(catalog: catalog, rules: machine.rules, cart: repriced(shared.lines))
        return untold + [.cart(machine.cart)]
    }

    /// Time passed: a confirmation window may have run out.
    mutating func tick() async -> [DialogReply] {
        let asking = question
        defer { tally.question(from: asking, to: question, answeredWith: nil) }
        return await perform(machine.tick(at: services.clock.now))
    }

    /// Nothing usable was heard.
    mutating func rejected() async -> [DialogReply] {
        let asking = question
        defer { tally.question(from: asking, to: question, answeredWith: nil) }
        return await perform(machine.rejected(at: services.clock.now))
    }

    /// An accepted intent. `fingerprint`: the spoken utterance's (nil for typed text or keys);
    /// `transcript` is what the broadcast detector compares across customers.
    mutating func heard(_ intent: Intent, confidence: Double, transcript: String, fingerprint: String?) async -> [DialogReply] {
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
            case .failure(let failure):
                // Said at once; a read-back the customer was answering is not left waiting.
                machine.abandonPending()
                return [.failed(failure)]
            }
        }
        let actions = machine.heard(intent, confidence: confidence, at: services.clock.now, facts: facts)
        var replies = await perform(actions)
        replies += await saveConversation()
        if machine.cart.lines != cartBefore { replies.append(.cart(machine.cart)) }
        return replies
    }

    /// Spoken replies play until `end`: a question asked in them is answered only after.
    mutating func repliesPlay(until end: Date) {
        machine.answerWindow(startsAt: end)
    }

    /// Carries out what the dialog decided: prompts to say, orders to place, cancel or report.
    private mutating func perform(_ actions: [DialogAction]) async -> [DialogReply] {
        var replies: [DialogReply] = []
        for action in actions {
            switch action {
            case .say(let prompt): replies.append(.say(prompt))
            case .placeOrder(let cart, let pin, let repeatConfirmed): replies += await confirm(cart, pin: pin, repeatConfirmed: repeatConfirmed)
            case .cancelLatestOrder: replies += said(await desk.cancelLatestOrder())
            case .reportOrderStatus, .reportDelivery:
                tally.count(ContactCounts.statusAnswered)
                guard let order = await desk.latestOrder() else {
                    replies.append(.say(.noOrdersYet))
                    continue
                }
                replies += [.order(order), .say(.latestOrder(order.status, tracking: action == .reportDelivery ? order.trackingNumber : nil))]
            case .reorderUsual: replies += await reorderUsual()
            case .refuse(let refusal):
                tally.refused(refusal)
                replies.append(.say(.refusal(refusal)))
            case .handOver:
                tally.count(ContactCounts.handedOver)
                services.metrics.increment(.handovers)
                logger.notice("hand-over to a person requested")
                replies += [.handOver(conversationId: conversation?.id ?? ""), .say(.handOver)]
            }
        }
        return replies
    }

    /// Hands the confirmed order to the desk under an idempotency key unique to this
    /// confirmation, and continues from what came of it.
    private mutating func confirm(_ cart: Cart, pin: String?, repeatConfirmed: Bool) async -> [DialogReply] {
        confirmedCheckouts += 1
        let now = services.clock.now
        let confirmation = OrderDesk.Confirmation(
            cart: cart, pin: pin, repeatConfirmed: repeatConfirmed, idempotencyKey: "\(sessionId):\(confirmedCheckouts)",
            fingerprints: spokenFingerprints, claim: sharedCart?.claim, rules: machine.rules)
        // "placed" is told as soon as the order is written, before the payment, when the session
        // can tell at once; otherwise with the turn's other replies.
        let told = ToldOnce()
        let announce = self.announce.map { send in
            { @Sendable (order: OrderRecord) in
                await send([.order(order)])
                told.mark()
            }
        }
        switch await desk.confirm(confirmation, at: now, announce: announce) {
        case .placed(let order, let method):
            return await written(order, paid: true, at: now, toldAtOnce: told.isMarked) + [.say(.placed(paidWith: method, total: cart.total))]
        case .paymentFailed(let order, let code):
            return await written(order, paid: false, at: now, toldAtOnce: told.isMarked) + [.say(.paymentFailed(code))]
        case .cartTakenElsewhere(let refusal):
            await continueFromSharedCart()
            return [.say(prompt(for: refusal))]
        case .confirmRepeat(let minutes):
            return await perform(machine.confirmRepeat(of: cart, minutesAgo: minutes, at: now))
        case .declined(.guardRefused(let refusal)):
            return await perform([.refuse(refusal)])
        case .declined(let decline):
            if case .wrongPIN = decline { tally.count(ContactCounts.pinFailed) }
            if case .wrongPINNowLocked = decline { tally.count(ContactCounts.pinFailed) }
            return said(decline)
        }
    }

    /// An order was written: the session continues from the cart version it consumed (emptied
    /// in the store; a failed payment's cart is saved back at the end of the turn), and the
    /// turns that led to it point at it until they expire. The replies show it placed (unless
    /// that was told at once) and where it stands now.
    private mutating func written(_ order: OrderRecord, paid: Bool, at now: Date, toldAtOnce: Bool) async -> [DialogReply] {
        _ = await storedCartIfChanged()
        spokenFingerprints = []
        tally.ordered(paid: paid, at: now)
        services.turns.linkTurns(ofSession: sessionId, toOrder: order.id)
        if paid { machine.orderPlaced() }
        var placed = order
        placed.status = .placed
        return (toldAtOnce ? [] : [.order(placed)]) + [.order(order)]
    }

    private func said(_ decline: OrderDecline) -> [DialogReply] {
        switch decline {
        case .wrongPIN(let left): [.say(.wrongPIN(attemptsLeft: left))]
        case .wrongPINNowLocked: [.say(.wrongPINNowLocked)]
        case .noPINOnAccount: [.say(.noPINOnAccount)]
        case .noPaymentMethod: [.say(.refusal(.noPaymentMethod))]
        case .justRunOut(let name, let available): [.say(.justRunOut(name, available: available))]
        case .guardRefused(let refusal): [.say(.refusal(refusal))]
        case .storeFailed(let failure): [.failed(failure)]
        }
    }

    private mutating func said(_ outcome: CancelOutcome) -> [DialogReply] {
        switch outcome {
        case .cancelled(let order, let refunded):
            tally.count(ContactCounts.cancelled)
            return [.order(order), .say(.cancelled(refunded: refunded))]
        case .nothingToCancel: return [.say(.noOrdersToCancel)]
        case .tooLate(let status): return [.say(.tooLateToCancel(status))]
        case .refundFailed: return [.say(.refundFailedOrderKept)]
        case .failed(let failure): return [.error(failure.what), .say(.cancelFailedOnOurSide)]
        }
    }

    /// What the customer hears when another session got to the cart first: the cart as it
    /// now stands, when it changed.
    private func prompt(for refusal: PlacementRefusal) -> Prompt {
        switch refusal {
        case .alreadyPlaced: .alreadyPlacedElsewhere
        case .cartChanged: .cartChangedElsewhere(notPlaced: machine.readBack(machine.cart))
        case .revoked: .deviceRevoked
        case .spending, .outOfStock, .unknownProduct:
            // The desk answers these itself; they never mean the cart was taken elsewhere.
            .failedOnOurSide
        }
    }

    /// An order the customer was never told of, with where it stands. Lines that cannot be
    /// read are not said; the order still is.
    private func notTold(_ order: OrderRecord) -> [DialogReply] {
        let summary = (try? order.lines()).map { Prompt.summary(of: $0, names: catalog) }
        return [.order(order), .say(Prompt.orderNotTold(summary, order.status))]
    }

    /// Offers the customer's pinned or most frequent order for the usual read-back.
    private mutating func reorderUsual() async -> [DialogReply] {
        switch await desk.usualCart() {
        case .success(let cart):
            switch await desk.guardFacts() {
            case .success(let facts): await perform(machine.propose(cart, intro: Prompt.usualIntro, at: services.clock.now, facts: facts))
            case .failure(let failure): [.failed(failure)]
            }
        case .failure(.unknown): [.say(.usualUnknown)]
        case .failure(.unavailable): [.say(.usualUnavailable)]
        }
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
    private mutating func saveConversation() async -> [DialogReply] {
        guard let conversation, var shared = sharedCart else { return [] }
        defer { sharedCart = shared }
        do {
            try await services.sessions.save(conversationId: conversation.id, state: state.rawValue)
            if try await shared.save(machine.cart.lines) { return [] }
            if let lines = try await shared.refresh() { machine.cartChanged(to: repriced(lines)) }
            return [.say(Prompt.cartChangedElsewhere(readBack: machine.readBack(machine.cart)))]
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

/// Whether the order was already told at once, from the placing task.
private final class ToldOnce: Sendable {
    private let told = Mutex(false)
    func mark() { told.withLock { $0 = true } }
    var isMarked: Bool { told.withLock { $0 } }
}
