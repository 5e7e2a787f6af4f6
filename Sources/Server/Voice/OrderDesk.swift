import Commerce
import Conversation
import Foundation
import Synchronization
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
    /// queries: the dialog asks only when an order is proposed), or what the customer hears
    /// when the stores cannot tell: a fact read as its default would send them to fix the
    /// wrong thing ("no payment method" when the database is down). The spending and repeat
    /// rules are checked again inside the placing transaction (`spendingCheck`).
    func guardFacts() async -> Result<ConfirmationGuard.Facts, Refused> {
        var facts = ConfirmationGuard.Facts()
        let now = services.clock.now
        let since = now.addingTimeInterval(-services.configuration.guards.repeatWindowSeconds)
        do {
            let customer = try await services.customers.customer(device.customerId)
            facts.pinRequired = device.pinRequired || customer?.pinRequired == true
            facts.pinLocked = customer?.pinLockedUntil.map { $0 > now } ?? false
            facts.hasPIN = customer?.hasPIN ?? false
            facts.hasPaymentMethod = try await services.customers.defaultPaymentMethod(customerId: device.customerId) != nil
            facts.spending = try await services.orders.spendingFacts(deviceId: device.id, customerId: device.customerId, recentSince: since, at: now)
        } catch {
            return .failure(Refused(events: nothingOrdered(because: "the guard's facts could not be read", error)))
        }
        facts.deviceDailyLimitMinorUnits = device.dailySpendLimitMinorUnits
        facts.broadcastSuppressed = services.broadcasts.isSuppressed(device.customerId, at: now)
        return .success(facts)
    }

    /// The guard's spending and repeat rules for this device, to be checked again inside the
    /// placing transaction (`OrderPlacement.spendingCheck`).
    func spendingCheck(_ cart: Cart, rules: ConfirmationGuard, repeatConfirmed: Bool, at now: Date) -> SpendingCheck {
        var facts = ConfirmationGuard.Facts()
        facts.deviceDailyLimitMinorUnits = device.dailySpendLimitMinorUnits
        return rules.spendingCheck(cart, facts: facts, repeatConfirmed: repeatConfirmed, at: now)
    }

    /// Checks the spoken PIN: nil when it is right, else what the customer hears, and whether
    /// the PIN was wrong (rather than not set, or not checkable).
    func refusal(checkingPIN pin: String) async -> (events: [ServerEvent], wrongPIN: Bool)? {
        let check: CustomerBook.PINCheck
        do {
            check = try await services.customers.checkPIN(customerId: device.customerId, pin: pin, at: services.clock.now)
        } catch {
            return (nothingOrdered(because: "the PIN could not be checked", error), false)
        }
        switch check {
        case .correct:
            return nil
        case .wrong(let left):
            services.metrics.increment(.pinFailures)
            return ([.init(.wrongPIN(attemptsLeft: left))], true)
        case .locked:
            services.metrics.increment(.pinFailures)
            return ([.init(.wrongPINNowLocked)], true)
        case .notSet:
            return ([.init(.noPINOnAccount)], false)
        }
    }

    /// The customer's saved payment method, or what the customer hears when there is none.
    func paymentMethod() async -> Result<PaymentMethod, Refused> {
        do {
            guard let method = try await services.customers.defaultPaymentMethod(customerId: device.customerId) else {
                return .failure(Refused(events: [.init(.refusal(.noPaymentMethod))]))
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
    /// A database that does not answer is said to be that, at once (`StoreUnavailable`).
    func nothingOrdered(because what: String, _ error: any Error) -> [ServerEvent] {
        logger.error("order not placed: \(what)", metadata: ["error": "\(error)"])
        return [
            .error(code: .internalError, message: what),
            .init(error is StoreUnavailable ? .cannotTakeOrdersNow : .failedOnOurSide),
        ]
    }

    /// What became of a confirmed cart sent to the order pipeline.
    enum Placement {
        /// The order was written: paid, or its payment failed and it was cancelled.
        case written(OrderRecord, paid: Bool, events: [ServerEvent])
        /// Another session placed this cart version or changed the cart, or the device was
        /// revoked: the session must read the shared cart again (`prompt(for:readBack:)`).
        case cartTakenElsewhere(PlacementRefusal)
        /// The same order was placed a short while ago: the dialog asks again.
        case confirmRepeat(minutes: Int)
        /// Nothing was written (out of stock, a store failure).
        case refused([ServerEvent])
        /// The guard's rules, checked again as the order was written, refused it.
        case guardRefused(ConfirmationGuard.Refusal)
    }

    /// Places and pays for a confirmed cart. The guard's rules are checked again as the order
    /// is written (`placement.spendingCheck`), so sessions confirming at once cannot both pass them.
    func place(
        _ placement: OrderPlacement, cart: Cart, paidWith method: PaymentMethod, at now: Date, announce: Announcer?
    ) async -> Placement {
        // "placed" goes out as soon as the order is written, before the payment, when the
        // session can send at once; otherwise with the turn's other events.
        let announced = Mutex(false)
        let orders = services.orders, logger = logger
        let tell: @Sendable (OrderRecord) async -> Void = { order in
            if let announce {
                await announce([.order(id: order.id, status: OrderStatus.placed.rawValue, total: "\(order.total)")])
                announced.withLock { $0 = true }
            }
            await Self.recordTold(order.id, at: Date(), in: orders, logger: logger)
        }
        func placedUnlessAnnounced(_ order: OrderRecord) -> [ServerEvent] {
            announced.withLock { $0 } ? [] : [.order(id: order.id, status: OrderStatus.placed.rawValue, total: "\(cart.total)")]
        }
        do {
            switch try await services.pipeline.place(placement, at: now, announce: tell) {
            case .paid(let order):
                services.metrics.increment(.orders)
                return .written(order, paid: true, events: placedUnlessAnnounced(order) + [
                    .order(id: order.id, status: order.status.rawValue, total: "\(cart.total)"),
                    .init(.placed(paidWith: method.label, total: cart.total)),
                ])
            case .paymentFailed(let order, let error):
                services.metrics.increment(.paymentFailures, label: error.code.rawValue)
                return .written(order, paid: false, events: placedUnlessAnnounced(order) + [
                    .order(id: order.id, status: order.status.rawValue, total: "\(cart.total)"),
                    .init(.paymentFailed(error.code)),
                ])
            }
        } catch let refusal as PlacementRefusal {
            switch refusal {
            case .outOfStock(let productId, let available):
                let name = catalog.product(productId)?.name ?? productId
                return .refused([.init(.justRunOut(name, available: available))])
            case .unknownProduct(let productId):
                return .refused(nothingOrdered(because: "product \(productId) is no longer in the catalog", refusal))
            case .spending(.overDailyLimit(let left)):
                services.metrics.increment(.ordersRefused, label: refusal.code)
                return .guardRefused(.overDailyLimit(left: left))
            case .spending(.sameOrderRecently(let minutes)):
                services.metrics.increment(.ordersRefused, label: refusal.code)
                return .confirmRepeat(minutes: minutes)
            case .alreadyPlaced, .cartChanged, .revoked:
                services.metrics.increment(.ordersRefused, label: refusal.code)
                return .cartTakenElsewhere(refusal)
            }
        } catch {
            logger.error("order placement failed", metadata: ["error": "\(error)"])
            return .refused([
                .error(code: .internalError, message: "the order could not be placed; nothing was charged"),
                .init(error is StoreUnavailable ? .cannotTakeOrdersNow : .failedOnOurSide),
            ])
        }
    }

    /// Records that the customer was told of the order; a failure is logged (the order may then
    /// be told again when the conversation resumes, which is the safe side).
    private static func recordTold(_ orderId: String, at now: Date, in orders: any OrderLedger, logger: Logger) async {
        do { try await orders.markAnnounced(orderId: orderId, at: now) } catch {
            logger.error("recording that an order was announced failed", metadata: ["talkshop.order.id": "\(orderId)", "error": "\(error)"])
        }
    }

    /// Orders placed from the conversation in the last hour whose customer was never told (the
    /// node placing them died before it could say so): told now, each with where it stands.
    func ordersNotTold(conversationId: String) async -> [ServerEvent] {
        let untold: [OrderRecord]
        do { untold = try await services.orders.unannounced(conversationId: conversationId, since: services.clock.now.addingTimeInterval(-3_600)) } catch {
            logger.error("reading orders not yet told failed", metadata: ["error": "\(error)"])
            return []
        }
        var events: [ServerEvent] = []
        for order in untold {
            // Lines that cannot be read here are not said; the order still is.
            let summary = (try? order.lines()).map { Prompt.summary(of: $0, names: catalog) }
            events += [
                .order(id: order.id, status: order.status.rawValue, total: "\(order.total)"),
                .init(Prompt.orderNotTold(summary, order.status)),
            ]
            await Self.recordTold(order.id, at: services.clock.now, in: services.orders, logger: logger)
        }
        return events
    }

    /// What the customer hears when another session got to the cart first; `readBack`: the
    /// cart as it now stands.
    func prompt(for refusal: PlacementRefusal, readBack: String) -> [ServerEvent] {
        switch refusal {
        case .alreadyPlaced:
            [.init(.alreadyPlacedElsewhere)]
        case .cartChanged:
            [.init(.cartChangedElsewhere(notPlaced: readBack))]
        case .revoked:
            [.init(.deviceRevoked)]
        case .spending, .outOfStock, .unknownProduct:
            // `place` answers these itself; they never mean the cart was taken elsewhere.
            [.init(.failedOnOurSide)]
        }
    }

    func cancelLatestOrder() async -> [ServerEvent] {
        guard let order = await latestOrder() else { return [.init(.noOrdersToCancel)] }
        do {
            let cancelled = try await services.pipeline.cancel(order, reason: "customer asked by voice", source: sessionId)
            return [
                .order(id: cancelled.id, status: cancelled.status.rawValue, total: "\(order.total)"),
                .init(.cancelled(refunded: order.captureId == nil ? nil : order.total)),
            ]
        } catch CommerceError.illegalTransition(let from, _) {
            return [.init(.tooLateToCancel(from))]
        } catch {
            logger.error("cancellation failed", metadata: ["error": "\(error)"])
            return [.error(code: .internalError, message: "the order could not be cancelled")]
        }
    }

    func report(delivery: Bool) async -> [ServerEvent] {
        guard let order = await latestOrder() else { return [.init(.noOrdersYet)] }
        return [
            .order(id: order.id, status: order.status.rawValue, total: "\(order.total)"),
            .init(.latestOrder(order.status, tracking: delivery ? order.trackingNumber : nil)),
        ]
    }

    /// The customer's pinned or most frequent order as a cart, for the usual read-back.
    /// A pinned usual or a past order that cannot be read back as cart lines (written by an
    /// older version, or naming products since removed) is passed over, as if not there.
    func usualCart() async -> Result<Cart, Refused> {
        let pinned = (await read("the customer") { try await services.customers.customer(device.customerId) } ?? nil)?.usualLinesJSON
            .flatMap { try? JSONDecoder().decode([Cart.Line].self, from: Data($0.utf8)) }
        let history = (await read("the order history") { try await services.orders.orders(customerId: device.customerId) } ?? [])
            .filter { $0.status != .cancelled }
            .compactMap { try? $0.lines() }
        guard let lines = UsualOrder.pick(pinned: pinned, history: history) else {
            return .failure(Refused(events: [.init(.usualUnknown)]))
        }
        guard let cart = try? Cart(lines: lines, from: catalog) else {
            return .failure(Refused(events: [.init(.usualUnavailable)]))
        }
        return .success(cart)
    }

    /// The customer's default delivery address, if any. One that cannot be read is logged and
    /// the order goes without, as for a customer with no address (a person arranges delivery).
    func deliveryAddressId() async -> String? {
        (await read("the delivery address") { try await services.customers.defaultAddress(customerId: device.customerId) } ?? nil)?.id
    }

    private func latestOrder() async -> OrderRecord? {
        await read("the latest order") { try await services.orders.orders(customerId: device.customerId) }?.first
    }

    /// A read whose failure is logged rather than lost; nil then.
    private func read<T>(_ what: String, _ body: () async throws -> T) async -> T? {
        do { return try await body() } catch {
            logger.error("reading \(what) failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
