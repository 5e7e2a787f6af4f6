import Commerce
import Foundation
import PostgresStore
import Store
import Testing

/// Order events pushed between nodes with LISTEN/NOTIFY (PostgreSQL only: one SQLite node
/// has no other node to tell).
struct OrderEventsTests {
    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func anEventWrittenOnOneNodeIsPushedToAListenerOnAnother() async throws {
        try await Backend.withPostgres { connections in
            let nodeA = ShopStores(postgres: connections)
            try await nodeA.catalog.seedIfEmpty(with: ShopStores.catalog)
            let (notices, notify) = AsyncStream.makeStream(of: Int64.self)
            let (ready, signalReady) = AsyncStream.makeStream(of: Void.self)
            // Node C listens.
            let listener = Task {
                try await PostgresOrderEvents(database: connections).listen(ready: { signalReady.yield() }) { id in notify.yield(id) }
            }
            defer { listener.cancel() }
            for await _ in ready { break }

            // Node B places and then pays an order; each event is pushed, in order, with its id.
            let nodeB = ShopStores(postgres: connections)
            let line = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
            let order = try await nodeB.orders.place(
                .init(customerId: "c1", deviceId: "d1", lines: [line], total: line.total, idempotencyKey: "k", source: "test"), at: Date()
            ).order
            try await nodeB.orders.transition(orderId: order.id, to: .paid, from: .placed, note: nil, source: "test", at: Date())
            var received: [Int64] = []
            for await id in notices {
                received.append(id)
                if received.count == 2 { break }
            }
            let events = try await nodeA.orders.events(orderId: order.id)
            #expect(received == events.compactMap(\.id))
            #expect(events.map(\.status) == [.placed, .paid])
        }
    }

    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func aRefusedPlacementNotifiesNobody() async throws {
        try await Backend.withPostgres { connections in
            let node = ShopStores(postgres: connections)
            try await node.catalog.seedIfEmpty(with: ShopStores.catalog)
            let (notices, notify) = AsyncStream.makeStream(of: Int64.self)
            let (ready, signalReady) = AsyncStream.makeStream(of: Void.self)
            let listener = Task {
                try await PostgresOrderEvents(database: connections).listen(ready: { signalReady.yield() }) { id in notify.yield(id) }
            }
            defer { listener.cancel() }
            for await _ in ready { break }
            let line = Cart.Line(productId: "latte", quantity: 9, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
            await #expect(throws: CommerceError.self) {
                try await node.orders.place(
                    .init(customerId: "c1", deviceId: "d1", lines: [line], total: line.total, idempotencyKey: "big", source: "test"), at: Date())
            }
            // The next event is the first notified: the refused placement's rolled-back event never was.
            let small = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
            let order = try await node.orders.place(
                .init(customerId: "c1", deviceId: "d1", lines: [small], total: small.total, idempotencyKey: "small", source: "test"), at: Date()
            ).order
            var first: Int64?
            for await id in notices {
                first = id
                break
            }
            #expect(first == (try await node.orders.events(orderId: order.id).first?.id))
        }
    }
}
