import Commerce
import Conversation
import Foundation
import Logging
import Store
import Synchronization

/// The order side of one session, once the dialog has decided: what the confirmation guard
/// needs to know, and a confirmed "yes" carried through (the PIN, the payment method, the
/// placement with the guard's rules checked again, the payment) to an `OrderOutcome`;
/// cancelling, reporting and "the usual". It says nothing itself: the dialog turns outcomes
/// into replies. The session keeps the dialog and the cart; the desk only reads and writes orders.
struct OrderDesk {
    let services: DialogServices
    let device: Device
    /// The session, as the source of the orders it changes.
    let sessionId: String
    let catalog: Catalog
    let logger: Logger

    /// A read-back the customer said yes to (and the PIN, when one was asked for).
    struct Confirmation {
        var cart: Cart
        var pin: String?
        /// The second yes for ordering the same again was said.
        var repeatConfirmed: Bool
        /// Unique to this confirmation: a retry of it never places a second order.
        var idempotencyKey: String
        /// The spoken utterances' fingerprints since the last order.
        var fingerprints: [String]
        /// The shared cart version that was read back; nil for a session without one.
        var claim: CartClaim?
        var rules: ConfirmationGuard
    }

    /// What the confirmation guard needs to know about this customer and device now (a few
    /// queries: the dialog asks only when an order is proposed), or the store failure when the
    /// stores cannot tell: a fact read as its default would send the customer to fix the wrong
    /// thing ("no payment method" when the database is down). The spending and repeat rules
    /// are checked again inside the placing transaction (`spendingCheck`).
    func guardFacts() async -> Result<ConfirmationGuard.Facts, StoreFailure> {
        var facts = ConfirmationGuard.Facts()
        let now = services.clock.now
        let since = now.addingTimeInterval(-services.guards.repeatWindowSeconds)
        do {
            let customer = try await services.customers.customer(device.customerId)
            facts.pinRequired = device.pinRequired || customer?.pinRequired == true
            facts.pinLocked = customer?.pinLockedUntil.map { $0 > now } ?? false
            facts.hasPIN = customer?.hasPIN ?? false
            facts.hasPaymentMethod = try await services.customers.defaultPaymentMethod(customerId: device.customerId) != nil
            facts.spending = try await services.orders.spendingFacts(deviceId: device.id, customerId: device.customerId, recentSince: since, at: now)
        } catch {
            return .failure(failure("the guard's facts could not be read", error))
        }
        facts.deviceDailyLimitMinorUnits = device.dailySpendLimitMinorUnits
        facts.broadcastSuppressed = services.broadcasts.isSuppressed(device.customerId, at: now)
        return .success(facts)
    }

    /// Carries a confirmed order through: the PIN if one was asked for, the saved payment
    /// method, then the placement (which consumes the cart version read back and checks the
    /// guard's spending and repeat rules again as it writes, so sessions confirming at once
    /// cannot both pass them) and the payment. `announce` hears of the order as soon as it is
    /// written, before the payment answers.
    func confirm(_ confirmation: Confirmation, at now: Date, announce: (@Sendable (OrderRecord) async -> Void)?) async -> OrderOutcome {
        if let pin = confirmation.pin, let decline = await decline(checkingPIN: pin) { return .declined(decline) }
        let method: PaymentMethod
        do {
            guard let saved = try await services.customers.defaultPaymentMethod(customerId: device.customerId) else {
                return .declined(.noPaymentMethod)
            }
            method = saved
        } catch {
            return .declined(.storeFailed(failure("the payment method could not be read", error)))
        }
        let cart = confirmation.cart
        let placement = OrderPlacement(
            customerId: device.customerId, deviceId: device.id, lines: cart.lines, total: cart.total, paymentMethodId: method.id,
            addressId: await deliveryAddressId(), idempotencyKey: confirmation.idempotencyKey, source: sessionId,
            fingerprints: confirmation.fingerprints, cart: confirmation.claim,
            spendingCheck: spendingCheck(cart, rules: confirmation.rules, repeatConfirmed: confirmation.repeatConfirmed, at: now))
        return await place(placement, paidWith: method, at: now, announce: announce)
    }

    /// The guard's spending and repeat rules for this device, to be checked again inside the
    /// placing transaction (`OrderPlacement.spendingCheck`).
    private func spendingCheck(_ cart: Cart, rules: ConfirmationGuard, repeatConfirmed: Bool, at now: Date) -> SpendingCheck {
        var facts = ConfirmationGuard.Facts()
        facts.deviceDailyLimitMinorUnits = device.dailySpendLimitMinorUnits
        return rules.spendingCheck(cart, facts: facts, repeatConfirmed: repeatConfirmed, at: now)
    }

    /// Checks the spoken PIN: nil when it is right, else why the order is declined.
    private func decline(checkingPIN pin: String) async -> OrderDecline? {
        let check: PINCheck
        do {
            check = try await services.customers.checkPIN(customerId: device.customerId, pin: pin, at: services.clock.now)
        } catch {
            return .storeFailed(failure("the PIN could not be checked", error))
        }
        switch check {
        case .correct:
            return nil
        case .wrong(let left):
            services.metrics.increment(.pinFailures)
            return .wrongPIN(attemptsLeft: left)
        case .locked:
            services.metrics.increment(.pinFailures)
            return .wrongPINNowLocked
        case .notSet:
            return .noPINOnAccount
        }
    }

    private func place(_ placement: OrderPlacement, paidWith method: PaymentMethod, at now: Date, announce: (@Sendable (OrderRecord) async -> Void)?) async -> OrderOutcome {
        let orders = services.orders, logger = logger
        let written: @Sendable (OrderRecord) async -> Void = { order in
            await announce?(order)
            await Self.recordTold(order.id, at: Date(), in: orders, logger: logger)
        }
        do {
            switch try await services.pipeline.place(placement, at: now, announce: written) {
            case .paid(let order):
                services.metrics.increment(.orders)
                return .placed(order, paidWith: method.label)
            case .paymentFailed(let order, let error):
                services.metrics.increment(.paymentFailures, label: error.code.rawValue)
                return .paymentFailed(order, error.code)
            }
        } catch let refusal as PlacementRefusal {
            switch refusal {
            case .outOfStock(let productId, let available):
                return .declined(.justRunOut(name: catalog.product(productId)?.name ?? productId, available: available))
            case .unknownProduct(let productId):
                return .declined(.storeFailed(failure("product \(productId) is no longer in the catalog", refusal)))
            case .spending(.overDailyLimit(let left)):
                services.metrics.increment(.ordersRefused, label: refusal.code)
                return .declined(.guardRefused(.overDailyLimit(left: left)))
            case .spending(.sameOrderRecently(let minutes)):
                services.metrics.increment(.ordersRefused, label: refusal.code)
                return .confirmRepeat(minutes: minutes)
            case .alreadyPlaced, .cartChanged, .revoked:
                services.metrics.increment(.ordersRefused, label: refusal.code)
                return .cartTakenElsewhere(refusal)
            }
        } catch {
            return .declined(.storeFailed(failure("the order could not be placed; nothing was charged", error)))
        }
    }

    /// Records that the customer was told of the order; a failure is logged (the order may then
    /// be told again when the conversation resumes, which is the safe side).
    private static func recordTold(_ orderId: String, at now: Date, in orders: any OrderStorage, logger: Logger) async {
        do { try await orders.markAnnounced(orderId: orderId, at: now) } catch {
            logger.error("recording that an order was announced failed", metadata: ["talkshop.order.id": "\(orderId)", "error": "\(error)"])
        }
    }

    /// Orders placed from the conversation in the last hour whose customer was never told (the
    /// node placing them died before it could say so), recorded as told now.
    func ordersNotTold(conversationId: String) async -> [OrderRecord] {
        let untold: [OrderRecord]
        do { untold = try await services.orders.unannounced(conversationId: conversationId, since: services.clock.now.addingTimeInterval(-3_600)) } catch {
            logger.error("reading orders not yet told failed", metadata: ["error": "\(error)"])
            return []
        }
        for order in untold { await Self.recordTold(order.id, at: services.clock.now, in: services.orders, logger: logger) }
        return untold
    }

    func cancelLatestOrder() async -> CancelOutcome {
        guard let order = await latestOrder() else { return .nothingToCancel }
        do {
            let cancelled = try await services.pipeline.cancel(order, reason: "customer asked by voice", source: sessionId)
            return .cancelled(cancelled, refunded: order.captureId == nil ? nil : order.total)
        } catch CommerceError.illegalTransition(let from, _) {
            return .tooLate(from)
        } catch let refused as PaymentError {
            logger.warning("a refund was refused; the order is not cancelled", metadata: ["talkshop.order.id": "\(order.id)", "error": "\(refused)"])
            return .refundFailed(order, refused.code)
        } catch {
            return .failed(failure("the order could not be cancelled", error))
        }
    }

    /// The customer's latest order, nil when there is none (or it cannot be read: logged).
    func latestOrder() async -> OrderRecord? {
        await read("the latest order") { try await services.orders.orders(customerId: device.customerId) }?.first
    }

    /// The customer's pinned or most frequent order as a cart, for the usual read-back; else
    /// the prompt saying why there is none. A pinned usual or a past order that cannot be read
    /// back as cart lines (written by an older version, or naming products since removed) is
    /// passed over, as if not there.
    func usualCart() async -> Result<Cart, UsualMissing> {
        let pinned = (await read("the customer") { try await services.customers.customer(device.customerId) } ?? nil)?.usualLinesJSON
            .flatMap { try? JSONDecoder().decode([Cart.Line].self, from: Data($0.utf8)) }
        let history = (await read("the order history") { try await services.orders.orders(customerId: device.customerId) } ?? [])
            .filter { $0.status != .cancelled }
            .compactMap { try? $0.lines() }
        guard let lines = UsualOrder.pick(pinned: pinned, history: history) else { return .failure(.unknown) }
        guard let cart = try? Cart(lines: lines, from: catalog) else { return .failure(.unavailable) }
        return .success(cart)
    }

    enum UsualMissing: Error, Equatable {
        /// No pinned usual and no past order.
        case unknown
        /// Part of it is no longer sold or in stock.
        case unavailable
    }

    /// The customer's default delivery address, if any. One that cannot be read is logged and
    /// the order goes without, as for a customer with no address (a person arranges delivery).
    private func deliveryAddressId() async -> String? {
        (await read("the delivery address") { try await services.customers.defaultAddress(customerId: device.customerId) } ?? nil)?.id
    }

    /// A store failure while the customer waits: logged, and said as such. A database that does
    /// not answer is said to be that, at once (`StoreUnavailable`).
    private func failure(_ what: String, _ error: any Error) -> StoreFailure {
        logger.error("\(what)", metadata: ["error": "\(error)"])
        return StoreFailure(what: what, unavailable: error is StoreUnavailable)
    }

    /// A read whose failure is logged rather than lost; nil then.
    private func read<T>(_ what: String, _ body: () async throws -> T) async -> T? {
        do { return try await body() } catch {
            logger.error("reading \(what) failed", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
