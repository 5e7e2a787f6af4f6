import Commerce
import Conversation
import Foundation
import Logging
import Store
import VoiceProtocol

/// The order side of one voice session, once the dialog has decided: what the confirmation
/// guard needs to know, the checks before a confirmed cart is placed (PIN, payment method),
/// placing it, cancelling, reporting and "the usual" — with what the customer hears in each
/// case. The session keeps the dialog and the cart; the desk only reads and writes orders.
struct OrderDesk {
    let services: TalkshopServices
    let device: Device
    /// The session, as the source of the orders it changes.
    let sessionId: String
    let catalog: Catalog
    let logger: Logger

    /// What the confirmation guard needs to know about this customer and device now (a few
    /// queries: the dialog asks only when an order is proposed). A store failure is logged and
    /// leaves a fact at its default; the spending and repeat rules are checked again inside
    /// the placing transaction (`recheck`), so they cannot be passed by a failed read.
    func guardFacts() -> ConfirmationGuard.Facts {
        var facts = ConfirmationGuard.Facts()
        let now = services.clock.now
        let customer = read("the customer") { try services.customers.customer(device.customerId) } ?? nil
        facts.pinRequired = device.pinRequired || customer?.pinRequired == true
        facts.pinLocked = customer?.pinLockedUntil.map { $0 > now } ?? false
        facts.hasPIN = customer?.hasPIN ?? false
        facts.hasPaymentMethod = (read("the payment method") { try services.customers.defaultPaymentMethod(customerId: device.customerId) } ?? nil) != nil
        facts.deviceDailyLimitMinorUnits = device.dailySpendLimitMinorUnits
        let since = now.addingTimeInterval(-services.configuration.guards.repeatWindowSeconds)
        if let stored = read("the spending facts", {
            try services.orders.spendingFacts(deviceId: device.id, customerId: device.customerId, recentSince: since, at: now)
        }) {
            facts.include(stored)
        }
        facts.broadcastSuppressed = services.broadcasts.isSuppressed(device.customerId, at: now)
        return facts
    }

    /// The guard's spending and repeat rules, to be checked again inside the placing transaction.
    func recheck(_ cart: Cart, rules: ConfirmationGuard, repeatConfirmed: Bool, at now: Date) -> OrderBook.Recheck {
        let deviceLimit = device.dailySpendLimitMinorUnits
        return OrderBook.Recheck(recentSince: now.addingTimeInterval(-rules.settings.repeatWindowSeconds)) { stored in
            var facts = ConfirmationGuard.Facts()
            facts.include(stored)
            facts.deviceDailyLimitMinorUnits = deviceLimit
            try rules.recheck(cart, facts: facts, repeatConfirmed: repeatConfirmed, at: now)
        }
    }

    /// Checks the spoken PIN: nil when it is right, else what the customer hears.
    func refusal(checkingPIN pin: String) -> [ServerEvent]? {
        let check: CustomerBook.PINCheck
        do {
            check = try services.customers.checkPIN(customerId: device.customerId, pin: pin, at: services.clock.now)
        } catch {
            return nothingOrdered(because: "the PIN could not be checked", error)
        }
        switch check {
        case .correct:
            return nil
        case .wrong(let left):
            services.metrics.increment(.pinFailures)
            let attempts = left == 1 ? "1 attempt" : "\(left) attempts"
            return [.prompt(text: "That PIN isn't right, so I haven't placed the order. \(attempts) left.", expect: "command")]
        case .locked:
            services.metrics.increment(.pinFailures)
            return [.prompt(text: "That PIN isn't right. PIN entry is now locked for a while; nothing was ordered.", expect: "command")]
        case .notSet:
            return [.prompt(text: "There is no PIN on your account, so I can't place this order.", expect: "command")]
        }
    }

    /// The customer's saved payment method, or what the customer hears when there is none.
    func paymentMethod() -> Result<PaymentMethod, Refused> {
        do {
            guard let method = try services.customers.defaultPaymentMethod(customerId: device.customerId) else {
                return .failure(Refused(events: [
                    .prompt(text: "There is no saved payment method on your account, so I can't place the order.", expect: "command"),
                ]))
            }
            return .success(method)
        } catch {
            return .failure(Refused(events: nothingOrdered(because: "the payment method could not be read", error)))
        }
    }

    /// What the customer hears instead of an order.
    struct Refused: Error {
        let events: [ServerEvent]
    }

    /// A store failure while an order was being placed: said as such (never as "no PIN" or "no
    /// payment method", which would send the customer to fix the wrong thing), nothing ordered.
    func nothingOrdered(because what: String, _ error: any Error) -> [ServerEvent] {
        logger.error("order not placed: \(what)", metadata: ["error": "\(error)"])
        return [
            .error(code: .internalError, message: what),
            .prompt(text: "Sorry, something went wrong on our side, so nothing was ordered. Please try again in a moment.", expect: "command"),
        ]
    }

    /// What became of a confirmed cart sent to the order pipeline.
    enum Placement {
        /// The order was written: paid, or its payment failed and it was cancelled.
        case written(OrderRecord, paid: Bool, events: [ServerEvent])
        /// Another session placed this cart version or changed the cart, or the device was
        /// revoked: the session must read the shared cart again (`prompt(for:readBack:)`).
        case cartTakenElsewhere(OrderBook.Refusal)
        /// The same order was placed a short while ago: the dialog asks again.
        case confirmRepeat(minutes: Int)
        /// Nothing was written (out of stock, over a limit, a store failure).
        case refused([ServerEvent])
    }

    /// Places and pays for a confirmed cart. The guard's rules are checked again as the order
    /// is written (`placement.recheck`), so sessions confirming at once cannot both pass them.
    func place(_ placement: OrderBook.Placement, cart: Cart, paidWith method: PaymentMethod, at now: Date) async -> Placement {
        do {
            switch try await services.pipeline.place(placement, at: now) {
            case .paid(let order):
                services.metrics.increment(.orders)
                return .written(order, paid: true, events: [
                    .order(id: order.id, status: OrderStatus.placed.rawValue, total: "\(cart.total)"),
                    .order(id: order.id, status: order.status.rawValue, total: "\(cart.total)"),
                    .prompt(
                        text: "Your order is placed and paid with \(method.label): \(cart.total). I'll tell you when it's on its way.",
                        expect: "command"),
                ])
            case .paymentFailed(let order, let error):
                services.metrics.increment(.paymentFailures, label: error.code.rawValue)
                let why = error.code == .timeout
                    ? "the payment provider did not answer"
                    : "the payment was refused (\(error.code.rawValue.replacingOccurrences(of: "_", with: " ")))"
                return .written(order, paid: false, events: [
                    .order(id: order.id, status: OrderStatus.placed.rawValue, total: "\(cart.total)"),
                    .order(id: order.id, status: order.status.rawValue, total: "\(cart.total)"),
                    .prompt(text: "Sorry, \(why), so the order is cancelled and nothing was charged. Your cart is kept.", expect: "command"),
                ])
            }
        } catch CommerceError.outOfStock(let productId, let available) {
            let name = catalog.product(productId)?.name ?? productId
            return .refused([.prompt(text: "Sorry, \(name) has just run out (\(available) left), so nothing was ordered.", expect: "command")])
        } catch let refusal as OrderBook.Refusal {
            services.metrics.increment(.ordersRefused, label: "\(refusal.code)")
            return .cartTakenElsewhere(refusal)
        } catch let recheck as ConfirmationGuard.Recheck {
            switch recheck {
            case .refuse(let reason):
                services.metrics.increment(.ordersRefused, label: "limit")
                return .refused([.prompt(text: reason, expect: "command")])
            case .confirmRepeat(let minutes):
                services.metrics.increment(.ordersRefused, label: "repeat")
                return .confirmRepeat(minutes: minutes)
            }
        } catch {
            logger.error("order placement failed", metadata: ["error": "\(error)"])
            return .refused([.error(code: .internalError, message: "the order could not be placed; nothing was charged")])
        }
    }

    /// What the customer hears when another session got to the cart first; `readBack`: the
    /// cart as it now stands.
    func prompt(for refusal: OrderBook.Refusal, readBack: String) -> [ServerEvent] {
        switch refusal {
        case .alreadyPlaced:
            [.prompt(text: "That order was already placed from another device.", expect: "command")]
        case .cartChanged:
            [.prompt(text: "Your cart changed on another device, so I haven't placed the order. \(readBack)", expect: "command")]
        case .revoked:
            [.prompt(text: "This device can no longer place orders, so nothing was ordered.", expect: "command")]
        }
    }

    func cancelLatestOrder() async -> [ServerEvent] {
        guard let order = latestOrder() else { return [.prompt(text: "You have no orders to cancel.", expect: "command")] }
        let total = "\(order.total)"
        do {
            let cancelled = try await services.pipeline.cancel(order, reason: "customer asked by voice", source: sessionId)
            let refunded = order.captureId == nil ? "" : " Your \(total) is refunded."
            return [
                .order(id: cancelled.id, status: cancelled.status.rawValue, total: total),
                .prompt(text: "Your order is cancelled.\(refunded)", expect: "command"),
            ]
        } catch CommerceError.illegalTransition(let from, _) {
            return [.prompt(
                text: "Your latest order is \(Self.spoken(from)) and can no longer be cancelled. Ask for a person to arrange a return.",
                expect: "command")]
        } catch {
            logger.error("cancellation failed", metadata: ["error": "\(error)"])
            return [.error(code: .internalError, message: "the order could not be cancelled")]
        }
    }

    func report(delivery: Bool) -> [ServerEvent] {
        guard let order = latestOrder() else { return [.prompt(text: "You have no orders yet.", expect: "command")] }
        var text = "Your latest order is \(Self.spoken(order.status))."
        if delivery, let tracking = order.trackingNumber { text += " Tracking number \(tracking)." }
        return [
            .order(id: order.id, status: order.status.rawValue, total: "\(order.total)"),
            .prompt(text: text, expect: "command"),
        ]
    }

    /// The customer's pinned or most frequent order as a cart, for the usual read-back.
    func usualCart() -> Result<Cart, Refused> {
        let pinned = (read("the customer") { try services.customers.customer(device.customerId) } ?? nil)?.usualLinesJSON
            .flatMap { try? JSONDecoder().decode([Cart.Line].self, from: Data($0.utf8)) }
        let history = (read("the order history") { try services.orders.orders(customerId: device.customerId) } ?? [])
            .filter { $0.status != .cancelled }
            .compactMap { try? OrderBook.lines(of: $0) }
        guard let lines = UsualOrder.pick(pinned: pinned, history: history) else {
            return .failure(Refused(events: [.prompt(text: "I don't know your usual order yet.", expect: "command")]))
        }
        guard let cart = try? Cart(lines: lines, from: catalog) else {
            return .failure(Refused(events: [.prompt(text: "Part of your usual order isn't available right now.", expect: "command")]))
        }
        return .success(cart)
    }

    private func latestOrder() -> OrderRecord? {
        read("the latest order") { try services.orders.orders(customerId: device.customerId) }?.first
    }

    /// A read whose failure is logged rather than lost; nil then.
    private func read<T>(_ what: String, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            logger.error("reading \(what) failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// What the customer hears when an order changes while they are connected (speaker, web page or phone).
    static func notice(for status: OrderStatus) -> String? {
        switch status {
        case .paid: "Your payment went through."
        case .preparing: "Your order is being prepared."
        case .outForDelivery: "Your order is out for delivery."
        case .readyForPickup: "Your order is ready for pickup."
        case .delivered: "Your order has been delivered. Enjoy!"
        case .cancelled: "Your order was cancelled."
        case .refunded: "Your order was refunded."
        case .pendingConfirmation, .placed: nil
        }
    }

    /// "out for delivery" for out_for_delivery.
    static func spoken(_ status: OrderStatus) -> String {
        status.rawValue.replacingOccurrences(of: "_", with: " ")
    }
}
