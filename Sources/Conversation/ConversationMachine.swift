import Commerce
import Foundation
import Grammar

/// The dialog as a pure state machine: recognised intents and timeouts in, actions out.
///
/// The confirmation guard lives here. Nothing that costs money or changes an order happens
/// without a read-back and an explicit "yes" in the following turn; while such an answer is
/// awaited only the confirmation grammar is listened for, and anything else — "no", another
/// phrase, silence past the window — drops the pending action. Results below the confidence
/// threshold are never acted on: the customer is asked "Did you say …?".
public struct ConversationMachine: Sendable {
    public enum Pending: Sendable, Equatable {
        case placeOrder(Cart)
        case cancelLatestOrder
        /// A low-confidence result waiting for "yes, that's what I said".
        case clarify(Intent)
    }

    public struct Settings: Sendable, Equatable {
        /// How long an answer to a read-back or "Did you say …?" is awaited.
        public var confirmationWindow: TimeInterval = 8
        /// Intents below this confidence are re-asked, never acted on.
        public var minimumConfidence: Double = 0.7

        public init() {}
    }

    public let catalog: Catalog
    public let settings: Settings
    public private(set) var cart: Cart
    public private(set) var pending: Pending?
    private var deadline: Date?

    public init(catalog: Catalog, settings: Settings = Settings()) {
        self.catalog = catalog
        self.settings = settings
        cart = Cart(currency: catalog.currency)
    }

    /// The grammar state the recogniser should listen with.
    public var dialogState: String { pending == nil ? IntentGrammar.defaultState : "confirmation" }

    /// A recognised (or typed) intent with its confidence.
    public mutating func heard(_ intent: Intent, confidence: Double, at now: Date) -> [DialogAction] {
        if let deadline, now > deadline { return expire() + heard(intent, confidence: confidence, at: now) }
        if let pending { return answer(pending, with: intent, at: now) }
        guard confidence >= settings.minimumConfidence else {
            self.pending = .clarify(intent)
            deadline = now.addingTimeInterval(settings.confirmationWindow)
            return [.say("Did you say \"\(intent.text)\"?", expect: "confirmation")]
        }
        return act(on: intent, at: now)
    }

    /// Silence, a rejection or the clock: a pending confirmation past its window is dropped.
    public mutating func tick(at now: Date) -> [DialogAction] {
        guard let deadline, now > deadline else { return [] }
        return expire()
    }

    private mutating func expire() -> [DialogAction] {
        guard let pending else { return [] }
        self.pending = nil
        deadline = nil
        switch pending {
        case .placeOrder: return [.say("I didn't hear a yes, so I haven't placed the order. Your cart is kept.", expect: "command")]
        case .cancelLatestOrder: return [.say("I didn't hear a yes, so your order stays as it is.", expect: "command")]
        case .clarify: return [.say("Sorry, I didn't catch that. Please say it again.", expect: "command")]
        }
    }

    private mutating func answer(_ pending: Pending, with intent: Intent, at now: Date) -> [DialogAction] {
        self.pending = nil
        deadline = nil
        guard intent.name == "yes" else {
            switch pending {
            case .placeOrder: return [.say("OK, I haven't placed the order. Your cart is kept.", expect: "command")]
            case .cancelLatestOrder: return [.say("OK, your order stays as it is.", expect: "command")]
            case .clarify: return [.say("OK, please say it again.", expect: "command")]
            }
        }
        switch pending {
        case .placeOrder(let confirmed):
            cart = Cart(currency: catalog.currency)
            return [.placeOrder(confirmed)]
        case .cancelLatestOrder:
            return [.cancelLatestOrder]
        case .clarify(let intent):
            // Confirmed what was said; consequential intents still get their own read-back.
            return act(on: intent, at: now)
        }
    }

    private mutating func act(on intent: Intent, at now: Date) -> [DialogAction] {
        switch intent.name {
        case "orderDrink", "addItem":
            return add(intent)
        case "cartContents":
            return [.say(readBack(), expect: "command")]
        case "removeItem", "removeProduct":
            do {
                try cart.removeLast(productId: intent.slots["coffeeDrink"] ?? intent.slots["product"])
                return [.say("Removed. " + readBack(), expect: "command")]
            } catch {
                return [.say("Your cart is empty.", expect: "command")]
            }
        case "checkout":
            guard !cart.isEmpty else { return [.say("Your cart is empty. What would you like?", expect: "command")] }
            pending = .placeOrder(cart)
            deadline = now.addingTimeInterval(settings.confirmationWindow)
            return [.say(readBack() + " Shall I place the order?", expect: "confirmation")]
        case "cancelOrder":
            pending = .cancelLatestOrder
            deadline = now.addingTimeInterval(settings.confirmationWindow)
            return [.say("Do you want to cancel your latest order?", expect: "confirmation")]
        case "orderStatus": return [.reportOrderStatus]
        case "whereIsMyOrder": return [.reportDelivery]
        case "orderTheUsual": return [.reorderUsual]
        case "speakToPerson": return [.handOver]
        case "help":
            return [.say("You can order a drink, ask what's in your cart, check out, or ask where your order is.", expect: "command")]
        default:
            // yes / no / cancel / repeat with nothing pending: nothing to do.
            return [.say("What would you like?", expect: "command")]
        }
    }

    private mutating func add(_ intent: Intent) -> [DialogAction] {
        guard let productId = intent.slots["coffeeDrink"] ?? intent.slots["product"] else {
            return [.say("Which drink would you like?", expect: "command")]
        }
        var options = intent.slots
        options["coffeeDrink"] = nil
        options["product"] = nil
        let quantity = options.removeValue(forKey: "quantity").flatMap(Int.init) ?? 1
        do {
            try cart.add(productId, quantity: quantity, options: options, from: catalog)
        } catch CommerceError.outOfStock(_, let available) {
            return [.say("Sorry, only \(available) left of that.", expect: "command")]
        } catch {
            return [.say("Sorry, we don't have that.", expect: "command")]
        }
        let name = catalog.product(productId)?.name ?? productId
        return [.say("Added \(name). Anything else, or shall I check out?", expect: "command")]
    }

    /// "Your cart: 1 large latte with soy milk, USD 4.25. Total USD 4.25."
    public func readBack() -> String {
        guard !cart.isEmpty else { return "Your cart is empty." }
        let items = cart.lines.map { line in
            let name = catalog.product(line.productId)?.name ?? line.productId
            let options = line.options.keys.sorted().map { line.options[$0]! }.joined(separator: ", ")
            return "\(line.quantity) \(name)\(options.isEmpty ? "" : " (\(options))"), \(line.total)"
        }
        return "Your cart: \(items.joined(separator: "; ")). Total \(cart.total)."
    }
}
