import Commerce
import Foundation
import PostgresStore
import Store
import Testing

/// Order events pushed between nodes with LISTEN/NOTIFY (PostgreSQL only: one SQLite node
/// has no other node to tell).
struct OrderEventsTests {
    /// Runs `body` with a seeded shop on a new PostgreSQL database and the event ids a
    /// listener on its own connection (another node) is notified of, once it listens.
    static func withListener(_ body: (ShopStores, AsyncStream<Int64>) async throws -> Void) async throws {
        try await Backend.withPostgres { connections in
            let shop = ShopStores(postgres: connections)
            try await shop.catalog.seedIfEmpty(with: ShopStores.testCatalog)
            let (notices, notify) = AsyncStream.makeStream(of: Int64.self)
            let (ready, signalReady) = AsyncStream.makeStream(of: Void.self)
            let listener = Task {
                try await PostgresOrderNews(database: connections).listen(ready: { signalReady.yield() }) { id in notify.yield(id) }
            }
            defer { listener.cancel() }
            for await _ in ready { break }
            try await body(shop, notices)
        }
    }

    static func placement(lattes: Int, key: String) -> OrderPlacement {
        let line = Cart.Line(productId: "latte", quantity: lattes, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
        return .init(customerId: "c1", deviceId: "d1", lines: [line], total: line.total, idempotencyKey: key, source: "test")
    }

    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func anEventWrittenOnOneNodeIsPushedToAListenerOnAnother() async throws {
        try await Self.withListener { shop, notices in
            // Another node places and then pays an order; each event is pushed, in order, with its id.
            let order = try await shop.orders.place(Self.placement(lattes: 1, key: "k"), at: Date()).order
            try await shop.orders.transition(orderId: order.id, to: .paid, from: .placed, note: nil, source: "test", at: Date())
            var received: [Int64] = []
            for await id in notices {
                received.append(id)
                if received.count == 2 { break }
            }
            let events = try await shop.orders.events(orderId: order.id)
            #expect(received == events.compactMap(\.id))
            #expect(events.map(\.status) == [.placed, .paid])
        }
    }

    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func aRefusedPlacementNotifiesNobody() async throws {
        try await Self.withListener { shop, notices in
            await #expect(throws: PlacementRefusal.self) { try await shop.orders.place(Self.placement(lattes: 9, key: "big"), at: Date()) }
            // The next event is the first notified: the refused placement's rolled-back event never was.
            let order = try await shop.orders.place(Self.placement(lattes: 1, key: "small"), at: Date()).order
            var first: Int64?
            for await id in notices {
                first = id
                break
            }
            #expect(first == (try await shop.orders.events(orderId: order.id).first?.id))
        }
    }
}
