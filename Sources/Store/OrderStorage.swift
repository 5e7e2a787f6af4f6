import Commerce
import Foundation

/// Where orders, their events, payments and utterance fingerprints are kept: the SQLite
/// database (`SQLiteOrderStorage`) or PostgreSQL (`PostgresOrderStorage`). Either way placing is one
/// transaction that reads the facts the rules decide on (`OrderPlacement.decision`, in
/// Commerce) and writes what they allow; a transition is decided by `OrderRecord.transition`.
public protocol OrderStorage: Sendable {
    func place(_ placement: OrderPlacement, at now: Date) async throws -> (order: OrderRecord, isNew: Bool)
    @discardableResult
    func transition(orderId: String, to status: OrderStatus, from expected: OrderStatus?, note: String?, source: String, at now: Date)
        async throws -> OrderRecord
    func record(payment: PaymentRecord) async throws
    func update(orderId: String, trackingNumber: String?, captureId: String?) async throws
    func order(_ id: String) async throws -> OrderRecord?
    func order(matching prefix: String) async throws -> OrderRecord?
    func orders(customerId: String) async throws -> [OrderRecord]
    func all(status: OrderStatus?, limit: Int) async throws -> [OrderRecord]
    /// One page of the orders in `status`, oldest first: for jobs that must see every one.
    func oldest(status: OrderStatus, after cursor: OrderCursor?, limit: Int) async throws -> [OrderRecord]
    func events(orderId: String) async throws -> [OrderEvent]
    func payments(orderId: String) async throws -> [PaymentRecord]
    func events(after id: Int64, limit: Int) async throws -> [(event: OrderEvent, order: OrderRecord)]
    func lastEventId() async throws -> Int64
    func spentToday(deviceId: String, at now: Date) async throws -> Int
    func spendingFacts(deviceId: String, customerId: String, recentSince: Date, at now: Date) async throws -> SpendingFacts
    func hasFingerprint(_ fingerprint: String) async throws -> Bool
    /// Records that the order's customer was told it was placed (idempotent).
    func markAnnounced(orderId: String, at now: Date) async throws
    /// Orders placed from the conversation since `date` that its customer was never told of.
    func unannounced(conversationId: String, since date: Date) async throws -> [OrderRecord]
}
