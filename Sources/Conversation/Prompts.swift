import Commerce

/// Every sentence Talkshop says in a conversation, in one place: the dialog machine's
/// questions and answers, the confirmation guard's refusals, and what the order desk says
/// about orders. (A phone line's greeting and re-prompts are configurable: `PhoneSettings`.)
extension Prompt {
    // MARK: Taking the order

    public static let whatWouldYouLike = Prompt("What would you like?")
    public static let whichDrink = Prompt("Which drink would you like?")
    public static let help = Prompt("You can order a drink, ask what's in your cart, check out, or ask where your order is.")
    public static let notSold = Prompt("Sorry, we don't have that.")
    public static let cartEmpty = Prompt("Your cart is empty.")
    public static let cartEmptyAtCheckout = Prompt("Your cart is empty. What would you like?")

    public static func added(_ name: String) -> Prompt { Prompt("Added \(name). Anything else, or shall I check out?") }
    public static func whichOption(_ option: String, of name: String) -> Prompt { Prompt("What \(option) would you like your \(name)?") }
    public static func onlyLeft(_ available: Int) -> Prompt { Prompt("Sorry, only \(available) left of that.") }
    public static func cartContents(_ readBack: String) -> Prompt { Prompt(readBack) }
    public static func removed(leaving readBack: String) -> Prompt { Prompt("Removed. " + readBack) }

    /// "Your cart: 1 latte (soy milk, large), USD 4.25. Total USD 4.25."
    public static func readBack(_ cart: Cart, names catalog: Catalog) -> String {
        guard !cart.isEmpty else { return cartEmpty.text }
        let items = cart.lines.map { line in
            let name = catalog.product(line.productId)?.name ?? line.productId
            let options = line.options.keys.sorted().map { line.options[$0]! }.joined(separator: ", ")
            return "\(line.quantity) \(name)\(options.isEmpty ? "" : " (\(options))"), \(line.total)"
        }
        return "Your cart: \(items.joined(separator: "; ")). Total \(cart.total)."
    }

    /// "1 latte (large) and 2 croissants": what an order holds, said briefly.
    public static func summary(of lines: [Cart.Line], names catalog: Catalog) -> String {
        let items = lines.map { line in
            let name = catalog.product(line.productId)?.name ?? line.productId
            let options = line.options.keys.sorted().map { line.options[$0]! }.joined(separator: ", ")
            return "\(line.quantity) \(name)\(options.isEmpty ? "" : " (\(options))")"
        }
        switch items.count {
        case 0: return "nothing"
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " and " + items.last!
        }
    }

    /// An order placed from this conversation that the customer never heard of (the node
    /// placing it stopped before saying so), said when the conversation resumes.
    public static func orderNotTold(_ summary: String?, _ status: OrderStatus) -> Prompt {
        let now: String
        switch status {
        case .pendingConfirmation, .placed: now = "it is being paid"
        case .paid: now = "it is paid"
        case .preparing: now = "it is being prepared"
        case .outForDelivery: now = "it is out for delivery"
        case .readyForPickup: now = "it is ready for pickup"
        case .delivered: now = "it has been delivered"
        case .cancelled, .refundFailed: now = "it was then cancelled, and nothing was charged"
        case .refunded: now = "it was then refunded"
        }
        return Prompt("Your order\(summary.map { " of \($0)" } ?? "") was placed; \(now).")
    }

    // MARK: Questions before anything happens

    public static func didYouSay(_ text: String) -> Prompt { Prompt("Did you say \"\(text)\"?", expect: .confirmation) }
    public static func shallIPlace(_ readBack: String, intro: String = "") -> Prompt {
        Prompt(intro + readBack + " Shall I place the order?", expect: .confirmation)
    }
    /// Said before the usual order's read-back.
    public static let usualIntro = "Your usual. "
    public static func sameOrderAgain(minutesAgo minutes: Int) -> Prompt {
        let when = minutes < 1 ? "less than a minute" : minutes == 1 ? "a minute" : "\(minutes) minutes"
        return Prompt("You ordered exactly this \(when) ago. Say yes again to order it a second time.", expect: .confirmation)
    }
    public static let askPIN = Prompt("Please say your four-digit PIN.", expect: .pin)
    public static let cancelLatest = Prompt("Do you want to cancel your latest order?", expect: .confirmation)

    // MARK: Answers that change nothing

    public static let sayAgain = Prompt("Sorry, I didn't catch that. Please say it again.")
    public static let pinNotHeard = Prompt("I didn't get your PIN, so I haven't placed the order. Your cart is kept.")
    public static let noClearYesToOrder = Prompt("I didn't hear a clear yes, so I haven't placed the order. Your cart is kept.")
    public static let noClearYesToCancel = Prompt("I didn't hear a clear yes, so your order stays as it is.")
    public static let noYesToOrder = Prompt("I didn't hear a yes, so I haven't placed the order. Your cart is kept.")
    public static let noYesToCancel = Prompt("I didn't hear a yes, so your order stays as it is.")
    public static let orderNotPlaced = Prompt("OK, I haven't placed the order. Your cart is kept.")
    public static let orderKept = Prompt("OK, your order stays as it is.")
    public static let okSayAgain = Prompt("OK, please say it again.")

    // MARK: The confirmation guard's refusals

    public static func refusal(_ refusal: ConfirmationGuard.Refusal) -> Prompt {
        switch refusal {
        case .broadcastPause:
            Prompt("Ordering is paused here for a few minutes: the same words were just heard on several devices at once, like a TV advert.")
        case .noPaymentMethod:
            Prompt("There is no saved payment method on your account, so I can't place the order.")
        case .overDailyLimit(let left):
            Prompt("That would go over this device's daily spending limit; \(left) is left today.")
        case .needsPINButNoneSet:
            Prompt("This order needs your PIN, and there is no PIN on your account.")
        case .pinLocked:
            Prompt("PIN entry is locked after too many wrong attempts. Please try again later.")
        }
    }

    // MARK: Placing, cancelling and reporting orders

    public static func wrongPIN(attemptsLeft left: Int) -> Prompt {
        Prompt("That PIN isn't right, so I haven't placed the order. \(left == 1 ? "1 attempt" : "\(left) attempts") left.")
    }
    public static let wrongPINNowLocked = Prompt("That PIN isn't right. PIN entry is now locked for a while; nothing was ordered.")
    public static let noPINOnAccount = Prompt("There is no PIN on your account, so I can't place this order.")
    public static let cannotTakeOrdersNow = Prompt(
        "Sorry, I can't take orders right now: our order system isn't answering. Nothing was ordered, and your cart is kept. Please try again in a minute.")
    public static let failedOnOurSide = Prompt("Sorry, something went wrong on our side, so nothing was ordered. Please try again in a moment.")
    public static func placed(paidWith method: String, total: Money) -> Prompt {
        Prompt("Your order is placed and paid with \(method): \(total). I'll tell you when it's on its way.")
    }
    public static func paymentFailed(_ code: PaymentError.Code) -> Prompt {
        let why = code == .timeout
            ? "the payment provider did not answer" : "the payment was refused (\(code.rawValue.replacingOccurrences(of: "_", with: " ")))"
        return Prompt("Sorry, \(why), so the order is cancelled and nothing was charged. Your cart is kept.")
    }
    public static func justRunOut(_ name: String, available: Int) -> Prompt {
        Prompt("Sorry, \(name) has just run out (\(available) left), so nothing was ordered.")
    }
    public static let alreadyPlacedElsewhere = Prompt("That order was already placed from another device.")
    public static func cartChangedElsewhere(notPlaced readBack: String) -> Prompt {
        Prompt("Your cart changed on another device, so I haven't placed the order. \(readBack)")
    }
    public static func cartChangedElsewhere(readBack: String) -> Prompt {
        Prompt("Your cart was just changed on another device. \(readBack)")
    }
    public static let deviceRevoked = Prompt("This device can no longer place orders, so nothing was ordered.")
    public static let noOrdersToCancel = Prompt("You have no orders to cancel.")
    public static func cancelled(refunded total: Money?) -> Prompt {
        Prompt("Your order is cancelled.\(total.map { " Your \($0) is refunded." } ?? "")")
    }
    /// The provider refused the refund, so nothing was cancelled (the refund was recorded and
    /// counted; staff see it).
    public static let refundFailedOrderKept = Prompt(
        "I couldn't refund your order just now, so it isn't cancelled yet. Please try again in a moment, or ask for a person.")
    public static let cancelFailedOnOurSide = Prompt("Sorry, something went wrong on our side, so your order stays as it is.")
    public static func tooLateToCancel(_ status: OrderStatus) -> Prompt {
        Prompt("Your latest order is \(spoken(status)) and can no longer be cancelled. Ask for a person to arrange a return.")
    }
    public static let noOrdersYet = Prompt("You have no orders yet.")
    public static func latestOrder(_ status: OrderStatus, tracking: String?) -> Prompt {
        Prompt("Your latest order is \(spoken(status)).\(tracking.map { " Tracking number \($0)." } ?? "")")
    }
    public static let usualUnknown = Prompt("I don't know your usual order yet.")
    public static let usualUnavailable = Prompt("Part of your usual order isn't available right now.")
    public static let handOver = Prompt("I'll connect you to a person.", expect: .none)

    /// What the customer hears when an order changes while they are connected (speaker, web
    /// page or phone); nil for a change not worth interrupting for.
    public static func notice(for status: OrderStatus) -> String? {
        switch status {
        case .paid: "Your payment went through."
        case .preparing: "Your order is being prepared."
        case .outForDelivery: "Your order is out for delivery."
        case .readyForPickup: "Your order is ready for pickup."
        case .delivered: "Your order has been delivered. Enjoy!"
        case .cancelled: "Your order was cancelled."
        case .refunded: "Your order was refunded."
        case .refundFailed: "Your order was cancelled; your refund is on its way."
        case .pendingConfirmation, .placed: nil
        }
    }

    /// "out for delivery" for out_for_delivery.
    static func spoken(_ status: OrderStatus) -> String {
        status.rawValue.replacingOccurrences(of: "_", with: " ")
    }
}
