import Commerce
import Foundation
import Synchronization

/// Open sessions by customer, so an order update reaches every device the customer has
/// connected ("your order is out for delivery").
public final class CustomerChannels: Sendable {
    public struct Update: Sendable, Equatable {
        public var orderId: String
        public var status: OrderStatus
        public var total: String
    }

    private struct Subscriber {
        var sessionId: String
        var sink: AsyncStream<Update>.Continuation
    }

    private let subscribers = Mutex<[String: [Subscriber]]>([:])

    public init() {}

    /// A stream of the customer's order updates for one session; ends on `unsubscribe`.
    public func subscribe(customerId: String, sessionId: String) -> AsyncStream<Update> {
        let (stream, sink) = AsyncStream.makeStream(of: Update.self, bufferingPolicy: .bufferingNewest(64))
        subscribers.withLock { $0[customerId, default: []].append(Subscriber(sessionId: sessionId, sink: sink)) }
        return stream
    }

    public func unsubscribe(customerId: String, sessionId: String) {
        let removed = subscribers.withLock { all -> [Subscriber] in
            let (gone, kept) = (all[customerId] ?? []).partitioned { $0.sessionId == sessionId }
            all[customerId] = kept.isEmpty ? nil : kept
            return gone
        }
        for subscriber in removed { subscriber.sink.finish() }
    }

    /// Sends an update to the customer's sessions, except the one that caused it (it has
    /// already told its customer).
    public func publish(_ update: Update, customerId: String, except sessionId: String?) {
        let targets = subscribers.withLock { $0[customerId] ?? [] }
        for subscriber in targets where subscriber.sessionId != sessionId { subscriber.sink.yield(update) }
    }
}

extension Array {
    /// (matching, rest), each in the original order.
    func partitioned(by belongs: (Element) -> Bool) -> ([Element], [Element]) {
        (filter(belongs), filter { !belongs($0) })
    }
}
