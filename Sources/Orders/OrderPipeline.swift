import Commerce
import Foundation
import Logging
import Store

/// Runs an order through payment and fulfilment, and carries out cancellations, refunds and
/// staff moves. Every step is written to the store first, so a restart can finish what a
/// crash interrupted (`recover`).
public struct OrderPipeline: Sendable {
    public let orders: any OrderStorage
    public let customers: any CustomerStorage
    public let gateway: any PaymentGateway
    public let fulfilment: any Fulfilment
    public let paymentTimeout: Duration
    let logger: Logger
    /// Told of every refund the provider refused (the server counts them on `/metrics`).
    public var refundFailed: @Sendable (OrderRecord, PaymentError) -> Void = { _, _ in }

    public init(
        orders: any OrderStorage, customers: any CustomerStorage, gateway: any PaymentGateway, fulfilment: any Fulfilment,
        paymentTimeout: Duration, logger: Logger
    ) {
        self.orders = orders
        self.customers = customers
        self.gateway = gateway
        self.fulfilment = fulfilment
        self.paymentTimeout = paymentTimeout
        self.logger = logger
    }

    public enum Outcome: Sendable {
        /// Placed and paid (or already placed under this idempotency key).
        case paid(OrderRecord)
        /// Placed, then the payment failed: the order is cancelled and its stock returned.
        case paymentFailed(OrderRecord, PaymentError)

        public var order: OrderRecord {
            switch self {
            case .paid(let order), .paymentFailed(let order, _): order
            }
        }
    }

    /// Places (idempotently) and pays for an order, then hands it to fulfilment. `now` is when
    /// it was confirmed, on the clock the guard's rules use. `announce` is called once the new
    /// order is written, before the payment: the customer hears of it even if this node dies
    /// while the provider answers.
    public func place(
        _ placement: OrderPlacement, at now: Date = Date(), announce: @Sendable (OrderRecord) async -> Void = { _ in }
    ) async throws -> Outcome {
        let (order, isNew) = try await orders.place(placement, at: now)
        if isNew { await announce(order) }
        if !isNew && order.status == .cancelled {
            return .paymentFailed(order, PaymentError(.unknownPayment, "this order was already cancelled"))
        }
        guard isNew || order.status == .placed else { return .paid(order) }
        return await settle(order, source: placement.source)
    }

    /// Authorises and captures the order's total, marks it paid and dispatches it. A failed or
    /// timed-out payment cancels the order; nothing is captured then.
    func settle(_ order: OrderRecord, source: String) async -> Outcome {
        let amount = order.total
        let savedMethod: PaymentMethod?
        do {
            if let methodId = order.paymentMethodId { savedMethod = try await customers.paymentMethod(methodId) } else { savedMethod = nil }
        } catch {
            // A store error, not a bad payment method: nothing was asked of the provider, so the
            // order stays placed and the recovery settles it again under the same keys.
            logger.error("reading the payment method failed", metadata: ["talkshop.order.id": "\(order.id)", "error": "\(error)"])
            return Self.outcome(of: order, PaymentError(.unknownPayment, "the payment method could not be read: \(error)"))
        }
        do {
            guard let method = savedMethod else { throw PaymentError(.invalidPaymentMethod, "the order has no saved payment method") }
            let authorization = try await call(.authorize, order: order, amount: amount) { () async throws(PaymentError) in
                try await gateway.authorize(amount, paymentMethod: method.token, idempotencyKey: "\(order.id):authorize")
            }
            let capture = try await call(.capture, order: order, amount: amount) { () async throws(PaymentError) in
                try await gateway.capture(authorizationId: authorization.id, idempotencyKey: "\(order.id):capture")
            }
            try await orders.update(orderId: order.id, trackingNumber: nil, captureId: capture.id)
            let paid = try await orders.transition(orderId: order.id, to: .paid, from: .placed, note: capture.id, source: source, at: Date())
            await dispatch(paid)
            return .paid(try await orders.order(order.id) ?? paid)
        } catch {
            let failure = error as? PaymentError ?? PaymentError(.unknownPayment, "\(error)")
            logger.notice("payment failed", metadata: ["talkshop.order.id": "\(order.id)", "talkshop.payment.error": "\(failure.code.rawValue)"])
            do { return try await endUnpaid(order, failure: failure, source: source) } catch {
                // The store cannot be read or written: the order stays placed, and the recovery
                // settles it again under the same idempotency keys.
                logger.error("ending an unpaid order failed", metadata: ["talkshop.order.id": "\(order.id)", "error": "\(error)"])
                let current = (try? await orders.order(order.id)) ?? order  // only to report: nil is the order as it was
                return Self.outcome(of: current, failure)
            }
        }
    }

    /// Cancels an order whose payment failed, if it is still waiting for payment: if another
    /// path (a retry, the recovery) settled it meanwhile, its outcome stands. Money captured
    /// before a later step failed goes back; if the provider refuses, the order is marked
    /// `refund_failed`, counted, and the recovery tries again.
    private func endUnpaid(_ order: OrderRecord, failure: PaymentError, source: String) async throws -> Outcome {
        let current = try await orders.order(order.id) ?? order
        guard current.status == .placed else { return Self.outcome(of: current, failure) }
        if current.captureId != nil {
            do { try await refundCapture(of: current) } catch {
                let refusal = error as? PaymentError ?? PaymentError(.unknownPayment, "\(error)")
                let marked = try await orders.transition(
                    orderId: order.id, to: .refundFailed, from: .placed, note: "refund \(refusal.code.rawValue)", source: source, at: Date())
                reportRefundFailure(marked, refusal)
                return .paymentFailed(marked, failure)
            }
        }
        let cancelled = try await orders.transition(
            orderId: order.id, to: .cancelled, from: .placed, note: "payment \(failure.code.rawValue)", source: source, at: Date())
        return .paymentFailed(cancelled, failure)
    }

    /// What a payment failure came to for an order another path may have settled meanwhile.
    private static func outcome(of current: OrderRecord, _ failure: PaymentError) -> Outcome {
        current.status == .cancelled || current.status == .refundFailed ? .paymentFailed(current, failure) : .paid(current)
    }

    private func reportRefundFailure(_ order: OrderRecord, _ refusal: PaymentError) {
        logger.error(
            "a refund of captured money failed; the order recovery retries it",
            metadata: ["talkshop.order.id": "\(order.id)", "talkshop.payment.error": "\(refusal.code.rawValue)"])
        refundFailed(order, refusal)
    }

    /// One payment call under the timeout, written to the store with its outcome.
    private func call(
        _ kind: PaymentKind, order: OrderRecord, amount: Money, _ operation: @escaping @Sendable () async throws(PaymentError) -> PaymentReceipt
    ) async throws -> PaymentReceipt {
        let result = await Self.withTimeout(paymentTimeout, operation)
        let reference: String? = if case .success(let receipt) = result { receipt.id } else { nil }
        try await orders.record(payment: PaymentRecord(
            id: UUID().uuidString.lowercased(), orderId: order.id, kind: kind, amountMinorUnits: amount.minorUnits,
            currency: amount.currency, providerReference: reference,
            outcome: result.failureCode ?? "succeeded", createdAt: Date()))
        return try result.get()
    }

    private func dispatch(_ order: OrderRecord) async {
        do {
            let status = order.status
            let tracking = try await fulfilment.dispatch(orderId: order.id, status: status)
            try await orders.update(orderId: order.id, trackingNumber: tracking, captureId: nil)
        } catch {
            logger.error("dispatch failed", metadata: ["talkshop.order.id": "\(order.id)", "error": "\(error)"])
        }
    }

    /// Cancels an order not yet being prepared; a paid one is refunded in full.
    public func cancel(_ order: OrderRecord, reason: String, source: String) async throws -> OrderRecord {
        let status = order.status
        _ = try status.transition(to: .cancelled)
        try await refundCapture(of: order)
        return try await orders.transition(orderId: order.id, to: .cancelled, from: nil, note: reason, source: source, at: Date())
    }

    /// Refunds a paid order in full: a return after delivery, or a refund before it.
    public func refund(_ order: OrderRecord, reason: String, source: String) async throws -> OrderRecord {
        let status = order.status
        _ = try status.transition(to: .refunded)
        try await refundCapture(of: order)
        return try await orders.transition(orderId: order.id, to: .refunded, from: nil, note: reason, source: source, at: Date())
    }

    /// Refunds the order's capture in full. Each attempt has its own idempotency key (a
    /// provider answers a repeated key with its first answer, a refusal included); the
    /// provider never refunds more than was captured.
    private func refundCapture(of order: OrderRecord) async throws {
        guard let captureId = order.captureId else { return }
        let amount = order.total
        let attempts = try await orders.payments(orderId: order.id).filter { $0.kind == .refund }.count
        let key = attempts == 0 ? "\(order.id):refund" : "\(order.id):refund:\(attempts)"
        _ = try await call(.refund, order: order, amount: amount) { () async throws(PaymentError) in
            try await gateway.refund(captureId: captureId, amount: amount, idempotencyKey: key)
        }
    }

    /// A courier's update: applied if it is a legal next step. One the order has already
    /// reached or passed is a repeat (couriers deliver updates at least once) and changes
    /// nothing; any other is logged.
    public func apply(_ update: TrackingUpdate) async {
        do {
            try await orders.transition(
                orderId: update.orderId, to: update.status, from: nil, note: update.trackingNumber, source: "courier", at: Date())
        } catch CommerceError.illegalTransition(let from, let to) where from.hasReached(to) {
            logger.debug("courier update already applied", metadata: ["talkshop.order.id": "\(update.orderId)", "status": "\(to)"])
        } catch {
            logger.notice("courier update not applied", metadata: ["talkshop.order.id": "\(update.orderId)", "error": "\(error)"])
        }
    }

    /// Finishes what a crash or a dead node interrupted, and nothing else, paging through every
    /// order concerned, oldest first:
    /// - placed before `cutoff` and never settled: paid (under the same idempotency keys) or cancelled;
    /// - paid before `cutoff` but never handed to the courier: dispatched;
    /// - `refund_failed`: the refund tried again;
    /// - handed to the courier and not yet delivered: `fulfilment.resume`, which a real courier
    ///   ignores and the in-memory sandbox uses to take up what a restart dropped.
    /// Newer orders are still being settled by their sessions. Runs under a lease: one node at a time.
    public func recover(placedBefore cutoff: Date, pageSize: Int = 200) async throws {
        try await forEach(.placed, pageSize: pageSize) { order in
            guard order.createdAt < cutoff else { return false }
            _ = await settle(order, source: "system")
            return true
        }
        try await forEach(.paid, pageSize: pageSize) { order in
            if order.trackingNumber == nil, order.updatedAt < cutoff { await dispatch(order) }
            return true
        }
        try await forEach(.refundFailed, pageSize: pageSize) { order in
            await retryRefund(order)
            return true
        }
        for status in [OrderStatus.paid, .preparing, .outForDelivery] {
            try await forEach(status, pageSize: pageSize) { order in
                if let tracking = order.trackingNumber {
                    await fulfilment.resume(orderId: order.id, trackingNumber: tracking, status: order.status, since: order.updatedAt)
                }
                return true
            }
        }
    }

    /// Calls `body` for every order in `status`, oldest first, a page at a time, until it returns false.
    private func forEach(_ status: OrderStatus, pageSize: Int, _ body: (OrderRecord) async throws -> Bool) async throws {
        var cursor: OrderCursor?
        while true {
            let page = try await orders.oldest(status: status, after: cursor, limit: pageSize)
            for order in page { guard try await body(order) else { return } }
            guard page.count == pageSize, let last = page.last else { return }
            cursor = OrderCursor(after: last)
        }
    }

    /// One more try at a refund the provider refused; the order is cancelled once it succeeds.
    private func retryRefund(_ order: OrderRecord) async {
        do {
            try await refundCapture(of: order)
            try await orders.transition(
                orderId: order.id, to: .cancelled, from: .refundFailed, note: "refund retried", source: "system", at: Date())
        } catch let refusal as PaymentError {
            reportRefundFailure(order, refusal)
        } catch {
            logger.error("retrying a refund failed", metadata: ["talkshop.order.id": "\(order.id)", "error": "\(error)"])
        }
    }

    /// Runs `operation`, giving up with `PaymentError.timeout` after `limit`.
    static func withTimeout(
        _ limit: Duration, _ operation: @escaping @Sendable () async throws(PaymentError) -> PaymentReceipt
    ) async -> Result<PaymentReceipt, PaymentError> {
        await withTaskGroup(of: Result<PaymentReceipt, PaymentError>.self) { group in
            group.addTask { await Result(asyncCatching: operation) }
            group.addTask {
                try? await Task.sleep(for: limit)  // cancelled when the payment answered first: nothing to report
                return .failure(PaymentError(.timeout, "no answer from the payment provider within \(limit)"))
            }
            let first = await group.next()!
            group.cancelAll()
            return first
        }
    }
}

extension Result where Failure == PaymentError {
    var failureCode: String? {
        if case .failure(let error) = self { error.code.rawValue } else { nil }
    }
}

extension Result where Failure == PaymentError {
    init(asyncCatching body: () async throws(PaymentError) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
