import Commerce
import Foundation
import Logging
import Store

/// Runs an order through payment and fulfilment, and carries out cancellations, refunds and
/// staff moves. Every step is written to the store first, so a restart can finish what a
/// crash interrupted (`recover`).
public struct OrderPipeline: Sendable {
    public let orders: any OrderLedger
    public let customers: any CustomerDirectory
    public let gateway: any PaymentGateway
    public let fulfilment: any Fulfilment
    public let paymentTimeout: Duration
    let logger: Logger

    public init(
        orders: any OrderLedger, customers: any CustomerDirectory, gateway: any PaymentGateway, fulfilment: any Fulfilment,
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
    /// it was confirmed, on the clock the guard's rules use.
    public func place(_ placement: OrderBook.Placement, at now: Date = Date()) async throws -> Outcome {
        let (order, isNew) = try await orders.place(placement, at: now)
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
        do {
            guard let methodId = order.paymentMethodId, let method = try? await customers.paymentMethod(methodId) else {
                throw PaymentError(.invalidPaymentMethod, "the order has no saved payment method")
            }
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
            // Cancel only an order still waiting for payment: if another path (a retry, the
            // recovery at start) settled it meanwhile, its outcome stands. Money captured
            // before a later step failed goes back.
            if let captured = try? await orders.order(order.id), captured.captureId != nil, captured.status == .placed {
                try? await refundCapture(of: captured)
            }
            do {
                let cancelled = try await orders.transition(
                    orderId: order.id, to: .cancelled, from: .placed, note: "payment \(failure.code.rawValue)", source: source, at: Date())
                return .paymentFailed(cancelled, failure)
            } catch {
                let current = (try? await orders.order(order.id)) ?? order
                return current.status == .cancelled ? .paymentFailed(current, failure) : .paid(current)
            }
        }
    }

    /// One payment call under the timeout, written to the store with its outcome.
    private func call(
        _ kind: PaymentKind, order: OrderRecord, amount: Money, _ operation: @escaping @Sendable () async throws(PaymentError) -> PaymentReceipt
    ) async throws -> PaymentReceipt {
        let result = await Self.withTimeout(paymentTimeout, operation)
        let receipt = try? result.get()
        try await orders.record(payment: PaymentRecord(
            id: UUID().uuidString.lowercased(), orderId: order.id, kind: kind, amountMinorUnits: amount.minorUnits,
            currency: amount.currency, providerReference: receipt?.id,
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

    private func refundCapture(of order: OrderRecord) async throws {
        guard let captureId = order.captureId else { return }
        let amount = order.total
        _ = try await call(.refund, order: order, amount: amount) { () async throws(PaymentError) in
            try await gateway.refund(captureId: captureId, amount: amount, idempotencyKey: "\(order.id):refund")
        }
    }

    /// A courier's update: applied if it is a legal next step, ignored (and logged) if not.
    public func apply(_ update: TrackingUpdate) async {
        do {
            try await orders.transition(
                orderId: update.orderId, to: update.status, from: nil, note: update.trackingNumber, source: "courier", at: Date())
        } catch {
            logger.notice("courier update not applied", metadata: ["talkshop.order.id": "\(update.orderId)", "error": "\(error)"])
        }
    }

    /// After a restart: settles orders left placed-but-unpaid before `start` (newer ones are
    /// being settled by their sessions) and hands paid ones not yet delivered back to the courier.
    public func recover(placedBefore start: Date) async throws {
        for order in try await orders.all(status: .placed, limit: 1_000) where order.createdAt < start { _ = await settle(order, source: "system") }
        for status in [OrderStatus.paid, .preparing, .outForDelivery] {
            for order in try await orders.all(status: status, limit: 1_000) { await dispatch(order) }
        }
    }

    /// Runs `operation`, giving up with `PaymentError.timeout` after `limit`.
    static func withTimeout(
        _ limit: Duration, _ operation: @escaping @Sendable () async throws(PaymentError) -> PaymentReceipt
    ) async -> Result<PaymentReceipt, PaymentError> {
        await withTaskGroup(of: Result<PaymentReceipt, PaymentError>.self) { group in
            group.addTask { await Result(asyncCatching: operation) }
            group.addTask {
                try? await Task.sleep(for: limit)
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
