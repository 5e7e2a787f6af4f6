import Commerce
import Foundation
import PostgresStore
import Store
import Testing

/// Orders on both backends, the same tests. "Two nodes" are two sets of stores on one
/// database; on PostgreSQL each unit of work has its own connection, as on separate machines.
struct OrderLedgerTests {
    func placement(key: String, lattes: Int = 1, device: String = "d1") -> OrderPlacement {
        let line = Cart.Line(productId: "latte", quantity: lattes, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
        return .init(
            customerId: "c1", deviceId: device, lines: [line], total: line.total, idempotencyKey: key, source: "test",
            fingerprints: ["fp-\(key)"])
    }

    @Test(arguments: Backend.available)
    func aRetriedPlacementReturnsTheSameOrderAndTakesStockOnce(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let first = try await nodeA.orders.place(placement(key: "k1"), at: Date())
            let retry = try await nodeB.orders.place(placement(key: "k1"), at: Date())
            #expect(first.isNew && !retry.isNew)
            #expect(first.order.id == retry.order.id)
            #expect(try await nodeA.orders.all(status: nil, limit: 10).count == 1)
            #expect(try await nodeA.stock("latte") == 2)
            #expect(try await nodeB.orders.events(orderId: first.order.id).map(\.status) == [.placed])
            #expect(try await nodeB.orders.hasFingerprint("fp-k1"))
            #expect(try await !nodeB.orders.hasFingerprint("fp-other"))
            let stored = try #require(try await nodeB.orders.order(first.order.id))
            #expect(stored.idempotencyKey == "k1" && stored.linesJSON == first.order.linesJSON && stored.total == first.order.total)
            #expect(try await nodeB.orders.order(matching: String(first.order.id.prefix(8)))?.id == first.order.id)
        }
    }

    /// Orders a conversation's customer was never told of, until they are.
    @Test(arguments: Backend.available)
    func ordersNotToldAreFoundUntilMarked(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let conversation = try await nodeA.conversations.conversation(resuming: nil, customerId: "c1", initialState: "main")
            var told = placement(key: "told")
            told.cart = .init(conversationId: conversation.id, version: 0)
            var untold = placement(key: "untold")
            untold.cart = .init(conversationId: conversation.id, version: 1)
            let first = try await nodeA.orders.place(told, at: Date()).order
            let second = try await nodeA.orders.place(untold, at: Date()).order
            try await nodeA.orders.markAnnounced(orderId: first.id, at: Date())
            try await nodeA.orders.markAnnounced(orderId: first.id, at: Date())  // idempotent
            #expect(try await nodeB.orders.unannounced(conversationId: conversation.id, since: Date(timeIntervalSinceNow: -60)).map(\.id) == [second.id])
            #expect(try await nodeB.orders.unannounced(conversationId: conversation.id, since: Date(timeIntervalSinceNow: 60)).isEmpty)
            try await nodeB.orders.markAnnounced(orderId: second.id, at: Date())
            #expect(try await nodeA.orders.unannounced(conversationId: conversation.id, since: .distantPast).isEmpty)
        }
    }

    /// The order recovery's pages: every order of one status, oldest first, none twice.
    @Test(arguments: Backend.available)
    func ordersArePagedOldestFirst(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { node, _ throws in
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            var placed: [String] = []
            // Two at the same instant: the id breaks the tie. The first is cancelled (its latte
            // back on the shelf for the last).
            for (index, offset) in [0.0, 1, 1].enumerated() {
                placed.append(try await node.orders.place(placement(key: "p\(index)"), at: start.addingTimeInterval(offset)).order.id)
            }
            try await node.orders.transition(orderId: placed[0], to: .cancelled, from: nil, note: nil, source: "test", at: start)
            placed.append(try await node.orders.place(placement(key: "p3"), at: start.addingTimeInterval(2)).order.id)
            var seen: [String] = []
            var cursor: OrderCursor?
            while true {
                let page = try await node.orders.oldest(status: .placed, after: cursor, limit: 2)
                seen += page.map(\.id)
                guard let last = page.last else { break }
                cursor = OrderCursor(after: last)
            }
            let tied = placed[1...2].sorted()
            #expect(seen == tied + [placed[3]], "\(seen) from \(placed)")
        }
    }

    @Test(arguments: Backend.available)
    func concurrentDuplicatesOnTwoNodesCreateExactlyOne(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for attempt in 0..<8 {
                    let node = attempt.isMultiple(of: 2) ? nodeA : nodeB
                    group.addTask { try await node.orders.place(placement(key: "same"), at: Date()).order.id }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await nodeA.orders.all(status: nil, limit: 10).count == 1)
            #expect(try await nodeA.stock("latte") == 2)
        }
    }

    @Test(arguments: Backend.available)
    func runningOutOfStockChangesNothing(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { node, _ throws in
            await #expect(throws: PlacementRefusal.outOfStock(productId: "latte", available: 3)) {
                try await node.orders.place(placement(key: "big", lattes: 4), at: Date())
            }
            #expect(try await node.orders.all(status: nil, limit: 10).isEmpty)
            #expect(try await node.stock("latte") == 3)
            #expect(try await !node.orders.hasFingerprint("fp-big"))
        }
    }

    @Test(arguments: Backend.available)
    func illegalTransitionsAreTypedErrorsAndCancellingRestocks(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let order = try await nodeA.orders.place(placement(key: "k", lattes: 2), at: Date()).order
            await #expect(throws: CommerceError.illegalTransition(from: .placed, to: .delivered)) {
                try await nodeB.orders.transition(orderId: order.id, to: .delivered, from: nil, note: nil, source: "test", at: Date())
            }
            await #expect(throws: CommerceError.illegalTransition(from: .placed, to: .cancelled)) {
                try await nodeB.orders.transition(orderId: order.id, to: .cancelled, from: .paid, note: nil, source: "test", at: Date())
            }
            #expect(try await nodeA.orders.order(order.id)?.status == .placed)
            try await nodeB.orders.transition(orderId: order.id, to: .cancelled, from: nil, note: "changed mind", source: "test", at: Date())
            #expect(try await nodeA.stock("latte") == 3)
            #expect(try await nodeA.orders.events(orderId: order.id).map(\.status) == [.placed, .cancelled])
            #expect(try await nodeA.orders.events(orderId: order.id).last?.note == "changed mind")
            await #expect(throws: CommerceError.illegalTransition(from: .cancelled, to: .paid)) {
                try await nodeA.orders.transition(orderId: order.id, to: .paid, from: nil, note: nil, source: "test", at: Date())
            }
            await #expect(throws: OrderNotFound(id: "nope")) {
                try await nodeA.orders.transition(orderId: "nope", to: .paid, from: nil, note: nil, source: "test", at: Date())
            }
        }
    }

    @Test(arguments: Backend.available)
    func paymentsTrackingAndEventsAfterAnIdAreRead(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let before = try await nodeB.orders.lastEventId()
            let order = try await nodeA.orders.place(placement(key: "k"), at: Date()).order
            try await nodeA.orders.transition(orderId: order.id, to: .paid, from: .placed, note: nil, source: "pipeline", at: Date())
            let payment = PaymentRecord(
                id: "p1", orderId: order.id, kind: .capture, amountMinorUnits: 425, currency: "USD", providerReference: "ch_1",
                outcome: "succeeded", createdAt: Date())
            try await nodeA.orders.record(payment: payment)
            try await nodeA.orders.update(orderId: order.id, trackingNumber: "TRK1", captureId: nil)
            try await nodeA.orders.update(orderId: order.id, trackingNumber: nil, captureId: "cap_1")

            let seen = try await nodeB.orders.events(after: before, limit: 10)
            #expect(seen.map(\.event.status) == [.placed, .paid] && seen.allSatisfy { $0.order.id == order.id })
            #expect(try await nodeB.orders.events(after: seen[0].event.id!, limit: 10).map(\.event.status) == [.paid])
            #expect(try await nodeB.orders.lastEventId() == seen[1].event.id)
            #expect(try await nodeB.orders.payments(orderId: order.id).map(\.providerReference) == ["ch_1"])
            let stored = try #require(try await nodeB.orders.order(order.id))
            #expect(stored.trackingNumber == "TRK1" && stored.captureId == "cap_1" && stored.status == .paid)
            #expect(try await nodeB.orders.orders(customerId: "c1").map(\.id) == [order.id])
            #expect(try await nodeB.orders.all(status: .placed, limit: 10).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func todaysSpendCountsOnlyLiveOrdersOfTheDevice(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { node, _ throws in
            _ = try await node.orders.place(placement(key: "a", lattes: 1), at: Date())
            let cancelled = try await node.orders.place(placement(key: "b", lattes: 1), at: Date()).order
            try await node.orders.transition(orderId: cancelled.id, to: .cancelled, from: nil, note: nil, source: "test", at: Date())
            _ = try await node.orders.place(placement(key: "c", lattes: 1, device: "d2"), at: Date())
            #expect(try await node.orders.spentToday(deviceId: "d1", at: Date()) == 425)
            #expect(try await node.orders.spentToday(deviceId: "d1", at: Date().addingTimeInterval(2 * 86_400)) == 0)
        }
    }

    /// A conversation whose stored cart holds one latte, at cart version 1.
    func conversationWithALatte(_ log: any ConversationStorage) async throws -> CartClaim {
        let conversation = try await log.conversation(resuming: nil, customerId: "c1", initialState: "main")
        let version = try #require(try await log.saveCart(conversationId: conversation.id, json: #"[{"productId":"latte"}]"#, replacing: 0))
        return .init(conversationId: conversation.id, version: version)
    }

    @Test(arguments: Backend.available)
    func oneCartVersionBecomesAtMostOneOrderAcrossNodesWhateverTheKeys(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let claim = try await conversationWithALatte(nodeA.conversations)
            // Eight sessions, on two nodes, confirm the same read-back, each under its own idempotency key.
            let outcomes = await withTaskGroup(of: Result<String, any Error>.self) { group in
                for session in 0..<8 {
                    let node = session.isMultiple(of: 2) ? nodeA : nodeB
                    group.addTask {
                        var placement = placement(key: "session-\(session):1")
                        placement.cart = claim
                        do { return .success(try await node.orders.place(placement, at: Date()).order.id) } catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let placed = outcomes.compactMap { try? $0.get() }
            #expect(placed.count == 1)
            let refusals = outcomes.compactMap { if case .failure(let error) = $0 { error as? PlacementRefusal } else { nil } }
            #expect(refusals == Array(repeating: .alreadyPlaced(orderId: placed.first ?? "?"), count: 7), "\(outcomes)")
            #expect(try await nodeA.orders.all(status: nil, limit: 10).count == 1)
            #expect(try await nodeA.stock("latte") == 2)
            // The order consumed the cart: empty, at the next version.
            let stored = try #require(try await nodeB.conversations.cart(conversationId: claim.conversationId))
            #expect(stored.json == nil && stored.version == claim.version + 1)
        }
    }

    @Test(arguments: Backend.available)
    func aCartChangedSinceTheReadBackOrARevokedDeviceOrCustomerPlacesNothing(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let claim = try await conversationWithALatte(nodeA.conversations)
            _ = try #require(try await nodeB.conversations.saveCart(conversationId: claim.conversationId, json: "[]", replacing: claim.version))
            var stale = placement(key: "k1")
            stale.cart = claim
            await #expect(throws: PlacementRefusal.cartChanged) { try await nodeA.orders.place(stale, at: Date()) }

            try await nodeA.customers.add(.init(id: "c1", name: "Cee"))
            let device = try await nodeA.devices.register(
                name: "speaker", customerId: "c1", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker"
            ).device
            _ = try await nodeB.devices.revoke(deviceId: device.id)
            await #expect(throws: PlacementRefusal.revoked) { try await nodeA.orders.place(placement(key: "k2", device: device.id), at: Date()) }
            try await nodeB.customers.revoke(customerId: "c1", at: Date())
            await #expect(throws: PlacementRefusal.revoked) { try await nodeA.orders.place(placement(key: "k3"), at: Date()) }
            #expect(try await nodeA.orders.all(status: nil, limit: 10).isEmpty)
            #expect(try await nodeA.stock("latte") == 3)
        }
    }

    @Test(arguments: Backend.available)
    func theRecheckSeesOrdersPlacedOnAnotherNodeAndRefusesWithoutWriting(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            _ = try await nodeA.orders.place(placement(key: "first", lattes: 1), at: Date())
            var second = placement(key: "second", lattes: 1)
            // The first order is seen: the same cart, a minute ago, within the repeat window.
            second.spendingCheck = .init(
                lines: second.lines, total: second.total, dailyLimitMinorUnits: 10_000, repeatWindowSeconds: 600, at: Date().addingTimeInterval(60))
            await #expect(throws: PlacementRefusal.spending(.sameOrderRecently(minutesAgo: 1))) {
                try await nodeB.orders.place(second, at: Date())
            }
            #expect(try await nodeA.orders.all(status: nil, limit: 10).count == 1)
            #expect(try await nodeA.stock("latte") == 2)
            let facts = try await nodeB.orders.spendingFacts(deviceId: "d1", customerId: "c1", recentSince: .distantPast, at: Date())
            #expect(facts.spentTodayMinorUnits == 425 && facts.recentOrders.count == 1)
        }
    }

    /// Concurrent rechecks on two nodes: a spending limit of one latte a day lets exactly one
    /// of eight simultaneous orders through (the placements of one customer take turns).
    @Test(arguments: Backend.available)
    func aSpendingLimitHoldsAgainstSimultaneousOrdersOnTwoNodes(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for attempt in 0..<8 {
                    let node = attempt.isMultiple(of: 2) ? nodeA : nodeB
                    var placement = placement(key: "k\(attempt)")
                    placement.spendingCheck = .init(
                        lines: placement.lines, total: placement.total, dailyLimitMinorUnits: 425, repeatWindowSeconds: 0, at: Date())
                    group.addTask { (try? await node.orders.place(placement, at: Date())) != nil }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 1)
            #expect(try await nodeA.stock("latte") == 2)
        }
    }
}
