import Commerce
import Foundation
import Store
import Synchronization

/// The sandbox provider, refusing the first `refusals` refunds it is asked for.
final class RefundRefusingGateway: PaymentGateway {
    let sandbox = SandboxPaymentGateway()
    private let refusalsLeft: Mutex<Int>

    init(refusals: Int) { refusalsLeft = Mutex(refusals) }

    func authorize(_ amount: Money, paymentMethod: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        try await sandbox.authorize(amount, paymentMethod: paymentMethod, idempotencyKey: idempotencyKey)
    }

    func capture(authorizationId: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        try await sandbox.capture(authorizationId: authorizationId, idempotencyKey: idempotencyKey)
    }

    func refund(captureId: String, amount: Money, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        let refuse = refusalsLeft.withLock { left in
            defer { left -= 1 }
            return left > 0
        }
        if refuse { throw PaymentError(.unknownPayment, "the provider is not answering refunds") }
        return try await sandbox.refund(captureId: captureId, amount: amount, idempotencyKey: idempotencyKey)
    }
}

/// A courier that only counts what it is asked to do.
final class CountingCourier: Fulfilment {
    private let counts = Mutex<(dispatched: [String], resumed: [String])>(([], []))
    let updates = AsyncStream<TrackingUpdate> { _ in }

    var dispatched: [String] { counts.withLock { $0.dispatched } }
    var resumed: [String] { counts.withLock { $0.resumed } }

    func dispatch(orderId: String, status: OrderStatus) async throws -> String {
        counts.withLock { $0.dispatched.append(orderId) }
        return "TRACK-\(orderId)"
    }

    func resume(orderId: String, trackingNumber: String, status: OrderStatus, since: Date) async {
        counts.withLock { $0.resumed.append(orderId) }
    }
}

/// The SQLite order book, failing every move to `paid`: a capture went through and the write
/// after it did not.
struct PaidWriteFailingLedger: OrderStorage {
    let book: SQLiteOrderStorage
    struct WriteFailed: Error {}

    func place(_ placement: OrderPlacement, at now: Date) async throws -> (order: OrderRecord, isNew: Bool) {
        try await book.place(placement, at: now)
    }
    func transition(orderId: String, to status: OrderStatus, from expected: OrderStatus?, note: String?, source: String, at now: Date)
        async throws -> OrderRecord
    {
        if status == .paid { throw WriteFailed() }
        return try await book.transition(orderId: orderId, to: status, from: expected, note: note, source: source, at: now)
    }
    func record(payment: PaymentRecord) async throws { try await book.record(payment: payment) }
    func update(orderId: String, trackingNumber: String?, captureId: String?) async throws {
        try await book.update(orderId: orderId, trackingNumber: trackingNumber, captureId: captureId)
    }
    func order(_ id: String) async throws -> OrderRecord? { try await book.order(id) }
    func order(matching prefix: String) async throws -> OrderRecord? { try await book.order(matching: prefix) }
    func orders(customerId: String) async throws -> [OrderRecord] { try await book.orders(customerId: customerId) }
    func all(status: OrderStatus?, limit: Int) async throws -> [OrderRecord] { try await book.all(status: status, limit: limit) }
    func oldest(status: OrderStatus, after cursor: OrderCursor?, limit: Int) async throws -> [OrderRecord] {
        try await book.oldest(status: status, after: cursor, limit: limit)
    }
    func events(orderId: String) async throws -> [OrderEvent] { try await book.events(orderId: orderId) }
    func payments(orderId: String) async throws -> [PaymentRecord] { try await book.payments(orderId: orderId) }
    func events(after id: Int64, limit: Int) async throws -> [(event: OrderEvent, order: OrderRecord)] {
        try await book.events(after: id, limit: limit)
    }
    func lastEventId() async throws -> Int64 { try await book.lastEventId() }
    func spentToday(deviceId: String, at now: Date) async throws -> Int { try await book.spentToday(deviceId: deviceId, at: now) }
    func spendingFacts(deviceId: String, customerId: String, recentSince: Date, at now: Date) async throws -> SpendingFacts {
        try await book.spendingFacts(deviceId: deviceId, customerId: customerId, recentSince: recentSince, at: now)
    }
    func hasFingerprint(_ fingerprint: String) async throws -> Bool { try await book.hasFingerprint(fingerprint) }
    func markAnnounced(orderId: String, at now: Date) async throws { try await book.markAnnounced(orderId: orderId, at: now) }
    func unannounced(conversationId: String, since date: Date) async throws -> [OrderRecord] {
        try await book.unannounced(conversationId: conversationId, since: date)
    }
}

/// The SQLite customer book, failing to read payment methods while `fails` is set.
final class PaymentMethodReadFailing: CustomerStorage, @unchecked Sendable {
    // Set once while the shop is built, before any concurrent use; `fails` only by the test.
    var book: SQLiteCustomerStorage!
    var fails = true
    struct ReadFailed: Error {}

    func paymentMethod(_ id: String) async throws -> PaymentMethod? {
        if fails { throw ReadFailed() }
        return try await book.paymentMethod(id)
    }
    func customer(phone: String) async throws -> Customer? { try await book.customer(phone: phone) }
    func setAudioConsent(customerId: String, _ consent: Bool) async throws -> Bool { try await book.setAudioConsent(customerId: customerId, consent) }
    func add(_ new: NewCustomer) async throws -> Customer { try await book.add(new) }
    func customer(_ id: String) async throws -> Customer? { try await book.customer(id) }
    func revoke(customerId: String, at now: Date) async throws -> Bool { try await book.revoke(customerId: customerId, at: now) }
    func revoked(since date: Date) async throws -> [String] { try await book.revoked(since: date) }
    func all() async throws -> [Customer] { try await book.all() }
    func defaultPaymentMethod(customerId: String) async throws -> PaymentMethod? { try await book.defaultPaymentMethod(customerId: customerId) }
    func defaultAddress(customerId: String) async throws -> Address? { try await book.defaultAddress(customerId: customerId) }
    func setUsual(customerId: String, linesJSON: String?) async throws { try await book.setUsual(customerId: customerId, linesJSON: linesJSON) }
    func checkPIN(customerId: String, pin: String, at now: Date) async throws -> PINCheck {
        try await book.checkPIN(customerId: customerId, pin: pin, at: now)
    }
}
