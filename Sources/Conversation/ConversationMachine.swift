import Commerce
import Foundation
import Grammar

/// The dialog as a pure state machine: recognised intents and timeouts in, actions out.
///
/// Nothing that costs money or changes an order happens without a read-back and an explicit
/// "yes" in the following turn; `ConfirmationGuard` adds a second "yes" for a repeated order
/// and the spoken PIN for large orders or PIN-protected devices. While an answer is awaited
/// only the confirmation (or PIN) grammar is listened for, and anything else — "no", another
/// phrase, a low-confidence "yes", silence past the window — drops the pending action.
/// Results below the confidence threshold are never acted on: "Did you say …?".
public struct ConversationMachine: Sendable {
    public typealias Checkpoint = ConfirmationGuard.Checkpoint

    public enum Pending: Sendable, Equatable {
        /// An order waiting for its checkpoints; the first is the question asked now.
        /// `repeatConfirmed` once the customer has said the second yes for a repeated order.
        case placeOrder(Cart, awaiting: [Checkpoint], repeatConfirmed: Bool = false)
        case cancelLatestOrder
        /// A low-confidence result waiting for "yes, that's what I said".
        case clarify(Intent)
    }

    /// An item waiting for a required option ("What size?"). Not a confirmation: any other
    /// request simply replaces the question.
    public struct Question: Sendable, Equatable {
        public var productId: String
        public var quantity: Int
        public var options: [String: String]
    }

    public let catalog: Catalog
    public let rules: ConfirmationGuard
    public private(set) var cart: Cart
    public private(set) var pending: Pending?
    public private(set) var question: Question?
    private var deadline: Date?

    public init(catalog: Catalog, rules: ConfirmationGuard = ConfirmationGuard(), cart: Cart? = nil) {
        self.catalog = catalog
        self.rules = rules
        self.cart = cart ?? Cart(currency: catalog.currency)
    }

    private var settings: ConfirmationGuard.Settings { rules.settings }

    /// The grammar state the recogniser should listen with.
    public var dialogState: DialogState {
        switch pending {
        case nil: .main
        case .placeOrder(_, let awaiting, _) where awaiting.first == .pin: .pin
        default: .confirmation
        }
    }

    /// Whether `heard(intent)` may propose an order, and so read the guard's facts: a checkout,
    /// or a yes that confirms a clarified checkout. (`ConversationMachineTests` checks this
    /// against `heard` for every command.)
    public func needsFacts(for intent: Intent) -> Bool {
        intent.command == .checkout || intent.command == .yes
    }

    /// A recognised (or typed) intent with its confidence; `facts` are what the guard needs
    /// if this turn proposes an order (looked up only then).
    public mutating func heard(
        _ intent: Intent, confidence: Double, at now: Date, facts: @autoclosure () -> ConfirmationGuard.Facts = .init()
    ) -> [DialogAction] {
        if let deadline, now > deadline { return expire() + heard(intent, confidence: confidence, at: now, facts: facts()) }
        if let pending { return answer(pending, with: intent, confidence: confidence, at: now, facts: facts) }
        guard confidence >= settings.minimumConfidence else {
            expectAnswer(.clarify(intent), at: now)
            return [.say(.didYouSay(intent.text))]
        }
        return act(on: intent, at: now, facts: facts)
    }

    /// Silence or the clock: a pending confirmation past its window is dropped.
    public mutating func tick(at now: Date) -> [DialogAction] {
        guard let deadline, now > deadline else { return [] }
        return expire()
    }

    /// Speech that matched nothing (or too poorly): while an answer is awaited it drops the
    /// pending action, so a TV talking over the read-back cannot later slip a "yes" in.
    public mutating func rejected(at now: Date) -> [DialogAction] {
        if let deadline, now > deadline { return expire() }
        guard let pending else { return [] }
        clearPending()
        switch pending {
        case .placeOrder(_, let awaiting, _) where awaiting.first == .pin:
            return [.say(.pinNotHeard)]
        case .placeOrder:
            return [.say(.noClearYesToOrder)]
        case .cancelLatestOrder: return [.say(.noClearYesToCancel)]
        case .clarify: return [.say(.sayAgain)]
        }
    }

    /// The read-back is still being played to the customer until `end` (a phone caller hears
    /// it before they can answer): the answer window starts then, never earlier.
    public mutating func answerWindow(startsAt end: Date) {
        guard pending != nil, let deadline else { return }
        self.deadline = max(deadline, end.addingTimeInterval(settings.confirmationWindowSeconds))
    }

    /// Offers a whole cart for checkout ("the usual"): it replaces the cart and is read back.
    public mutating func propose(_ offered: Cart, intro: String, at now: Date, facts: ConfirmationGuard.Facts) -> [DialogAction] {
        cart = offered
        return checkout(at: now, facts: { facts }, intro: intro)
    }

    /// The server could not carry the turn out (its stores did not answer) and said so:
    /// nothing pending is kept, so the customer's next words start afresh; the cart stays.
    public mutating func abandonPending() {
        clearPending()
    }

    /// The server placed the order: the cart starts empty again.
    public mutating func orderPlaced() {
        cart = Cart(currency: catalog.currency)
    }

    /// Another session of the same conversation changed the cart: this one continues with it.
    /// A pending order keeps the cart it read back (the server refuses it if that cart is gone).
    public mutating func cartChanged(to shared: Cart) {
        cart = shared
    }

    /// The server found, as it wrote the confirmed order, that the customer placed exactly this
    /// order moments ago from another conversation: the second yes is asked for now. (A PIN
    /// asked for this order was checked before the order was written, so it is not asked again.)
    public mutating func confirmRepeat(of order: Cart, minutesAgo: Int, at now: Date) -> [DialogAction] {
        expectAnswer(.placeOrder(order, awaiting: [.repeatOrder(minutesAgo: minutesAgo)]), at: now)
        return [ask(.repeatOrder(minutesAgo: minutesAgo), about: order)]
    }

    private mutating func expectAnswer(_ pending: Pending, at now: Date) {
        self.pending = pending
        deadline = now.addingTimeInterval(settings.confirmationWindowSeconds)
    }

    private mutating func clearPending() {
        pending = nil
        deadline = nil
    }

    private mutating func expire() -> [DialogAction] {
        guard let pending else { return [] }
        clearPending()
        switch pending {
        case .placeOrder: return [.say(.noYesToOrder)]
        case .cancelLatestOrder: return [.say(.noYesToCancel)]
        case .clarify: return [.say(.sayAgain)]
        }
    }

    private mutating func answer(
        _ pending: Pending, with intent: Intent, confidence: Double, at now: Date, facts: () -> ConfirmationGuard.Facts
    ) -> [DialogAction] {
        clearPending()
        let confident = confidence >= settings.minimumConfidence
        switch pending {
        case .placeOrder(let order, let awaiting, let repeatConfirmed) where awaiting.first == .pin:
            guard intent.command == .pinDigits, confident, let pin = Self.pin(from: intent) else {
                return [.say(.pinNotHeard)]
            }
            return [.placeOrder(order, pin: pin, repeatConfirmed: repeatConfirmed)]
        case .placeOrder(let order, let awaiting, let repeatConfirmed):
            guard intent.command == .yes, confident else {
                return [.say(.orderNotPlaced)]
            }
            var answeredRepeat = repeatConfirmed
            if case .repeatOrder? = awaiting.first { answeredRepeat = true }
            let remaining = Array(awaiting.dropFirst())
            guard let next = remaining.first else { return [.placeOrder(order, pin: nil, repeatConfirmed: answeredRepeat)] }
            expectAnswer(.placeOrder(order, awaiting: remaining, repeatConfirmed: answeredRepeat), at: now)
            return [ask(next, about: order)]
        case .cancelLatestOrder:
            guard intent.command == .yes, confident else { return [.say(.orderKept)] }
            return [.cancelLatestOrder]
        case .clarify(let said):
            guard intent.command == .yes, confident else { return [.say(.okSayAgain)] }
            // Confirmed what was said; consequential intents still get their own read-back.
            return act(on: said, at: now, facts: facts)
        }
    }

    private func ask(_ checkpoint: Checkpoint, about order: Cart, intro: String = "") -> DialogAction {
        switch checkpoint {
        case .readBack:
            return .say(.shallIPlace(readBack(order), intro: intro))
        case .repeatOrder(let minutes):
            return .say(.sameOrderAgain(minutesAgo: minutes))
        case .pin:
            return .say(.askPIN)
        }
    }

    private mutating func act(on intent: Intent, at now: Date, facts: () -> ConfirmationGuard.Facts) -> [DialogAction] {
        let question = self.question
        self.question = nil
        switch intent.command {
        case .orderDrink, .addItem:
            return add(intent.slots)
        case .chooseOption:
            guard let question else { return [.say(.whatWouldYouLike)] }
            return add(question, answeredWith: intent.slots)
        case .cartContents:
            return [.say(.cartContents(readBack(cart)))]
        case .removeItem, .removeProduct:
            do {
                try cart.removeLast(productId: intent.slots["coffeeDrink"] ?? intent.slots["product"])
                return [.say(.removed(leaving: readBack(cart)))]
            } catch {
                return [.say(.cartEmpty)]
            }
        case .checkout:
            return checkout(at: now, facts: facts, intro: "")
        case .cancelOrder:
            expectAnswer(.cancelLatestOrder, at: now)
            return [.say(.cancelLatest)]
        case .orderStatus: return [.reportOrderStatus]
        case .whereIsMyOrder: return [.reportDelivery]
        case .orderTheUsual: return [.reorderUsual]
        case .speakToPerson: return [.handOver]
        case .help:
            return [.say(.help)]
        case .yes, .no, .pinDigits, nil:
            // An answer with nothing pending, or an intent the dialog does not act on.
            return [.say(.whatWouldYouLike)]
        }
    }

    private mutating func checkout(at now: Date, facts: () -> ConfirmationGuard.Facts, intro: String) -> [DialogAction] {
        guard !cart.isEmpty else { return [.say(.cartEmptyAtCheckout)] }
        switch rules.review(cart, facts: facts(), at: now) {
        case .refuse(let refusal):
            return [.refuse(refusal)]
        case .ask(let checkpoints):
            expectAnswer(.placeOrder(cart, awaiting: checkpoints), at: now)
            return [ask(checkpoints[0], about: cart, intro: intro)]
        }
    }

    private mutating func add(_ slots: [String: String]) -> [DialogAction] {
        guard let productId = slots["coffeeDrink"] ?? slots["product"] else {
            return [.say(.whichDrink)]
        }
        var options = slots
        options["coffeeDrink"] = nil
        options["product"] = nil
        let quantity = options.removeValue(forKey: "quantity").flatMap(Int.init) ?? 1
        return add(Question(productId: productId, quantity: quantity, options: options), answeredWith: [:])
    }

    /// Adds the item, or asks for the first required option still missing.
    private mutating func add(_ item: Question, answeredWith answer: [String: String]) -> [DialogAction] {
        var item = item
        item.options.merge(answer) { _, new in new }
        let name = catalog.product(item.productId)?.name ?? item.productId
        do {
            try cart.add(item.productId, quantity: item.quantity, options: item.options, from: catalog)
        } catch CommerceError.missingOption(_, let option) {
            question = item
            return [.say(.whichOption(option, of: name))]
        } catch CommerceError.outOfStock(_, let available) {
            return [.say(.onlyLeft(available))]
        } catch {
            return [.say(.notSold)]
        }
        return [.say(.added(name))]
    }

    /// "Your cart: 1 latte (soy milk, large), USD 4.25. Total USD 4.25."
    public func readBack(_ cart: Cart) -> String {
        Prompt.readBack(cart, names: catalog)
    }

    /// The four digits of a `pinDigits` intent, or nil.
    static func pin(from intent: Intent) -> String? {
        let digits = (1...4).compactMap { intent.slots["digit\($0)"] }
        guard digits.count == 4, digits.allSatisfy({ $0.count == 1 && $0.first!.isNumber }) else { return nil }
        return digits.joined()
    }
}
