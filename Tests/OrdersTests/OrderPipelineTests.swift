import Commerce
import Foundation
import Logging
import Orders
import Store
import Synchronization
import Testing

/// The pipeline on a real SQLite database (in memory) and the sandbox payment provider: no
/// server, sockets or decoders.
struct OrderPipelineTests {
    static let latte = Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 5)

    struct Shop {
        var pipeline: OrderPipeline
        /// The same database as the pipeline's ledger, without any failure a test put in it.
        let book: SQLiteOrderStorage
        let gateway: SandboxPaymentGateway
        let customer: Customer
        let method: PaymentMethod
    }

    static func shop(
        card: String = "pm_card_visa", gateway given: (any PaymentGateway)? = nil, fulfilment: any Fulfilment = SandboxCourier(),
        ledger: (SQLiteOrderStorage) -> any OrderStorage = { $0 }, customers directory: (SQLiteCustomerStorage) -> any CustomerStorage = { $0 },
        stock: Int = latte.stock
    ) throws -> Shop {
        let database = try AppDatabase.inMemory()
        try SQLiteCatalogStorage(database: database).seedIfEmpty(with: try Catalog(currency: "USD", products: [Product(id: "latte", name: "latte", price: latte.price, stock: stock)]))
        let customers = SQLiteCustomerStorage(database: database)
        let customer = try customers.add(.init(name: "Test Customer", paymentMethod: (token: card, label: "test card")))
        let method = try #require(try customers.defaultPaymentMethod(customerId: customer.id))
        let gateway = SandboxPaymentGateway(hang: .seconds(3_600))
        let pipeline = OrderPipeline(
            orders: ledger(SQLiteOrderStorage(database: database)), customers: directory(customers), gateway: given ?? gateway, fulfilment: fulfilment,
            paymentTimeout: .seconds(30), logger: Logger(label: "test"))
        return Shop(pipeline: pipeline, book: SQLiteOrderStorage(database: database), gateway: gateway, customer: customer, method: method)
    }

    static func placement(_ shop: Shop, key: String) -> OrderPlacement {
        let line = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: latte.price)
        return OrderPlacement(
            customerId: shop.customer.id, deviceId: "device-1", lines: [line], total: line.total, paymentMethodId: shop.method.id,
            idempotencyKey: key, source: "test")
    }

    @Test func concurrentRetriesOfOnePlacementPayOnceAndNeverCancel() async throws {
        let shop = try Self.shop()
        let placement = Self.placement(shop, key: "retry-test")
        let outcomes = try await withThrowingTaskGroup(of: OrderPipeline.Outcome.self) { group in
            for _ in 0..<4 { group.addTask { try await shop.pipeline.place(placement) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for outcome in outcomes {
            guard case .paid = outcome else {
                Issue.record("a retry was not reported paid: \(outcome)")
                continue
            }
        }
        let orders = try await shop.pipeline.orders.all(status: nil, limit: 100)
        #expect(orders.count == 1)
        let id = try #require(orders.first?.id)
        let statuses = try await shop.pipeline.orders.events(orderId: id).map(\.status)
        #expect(statuses.prefix(2) == [.placed, .paid])
        #expect(!statuses.contains(.cancelled))
    }

    @Test func aDeclinedCardCancelsTheOrderAndCapturesNothing() async throws {
        let shop = try Self.shop(card: "pm_card_chargeDeclined")
        let outcome = try await shop.pipeline.place(Self.placement(shop, key: "declined"))
        guard case .paymentFailed(let order, let error) = outcome else {
            Issue.record("a declined card was reported paid: \(outcome)")
            return
        }
        #expect(error.code == .declined)
        #expect(try await shop.pipeline.orders.order(order.id)?.status == .cancelled)
        // Placing the same order again does not try the card a second time.
        let again = try await shop.pipeline.place(Self.placement(shop, key: "declined"))
        guard case .paymentFailed = again else {
            Issue.record("a retry of a cancelled order was reported paid: \(again)")
            return
        }
        #expect(try await shop.pipeline.orders.all(status: nil, limit: 100).count == 1)
    }

    // MARK: - Refunds the provider refuses

    /// A capture went through, the write after it failed, and the refund of that capture was
    /// refused: the refusal used to be swallowed and the order cancelled with the money kept.
    @Test func aRefusedRefundIsRecordedCountedAndRetriedByTheRecovery() async throws {
        let gateway = RefundRefusingGateway(refusals: 1)
        var shop = try Self.shop(gateway: gateway, ledger: { PaidWriteFailingLedger(book: $0) })
        let reported = Mutex<[String]>([])
        shop.pipeline.refundFailed = { order, refusal in reported.withLock { $0.append("\(order.id) \(refusal.code.rawValue)") } }

        let outcome = try await shop.pipeline.place(Self.placement(shop, key: "refused-refund"))
        guard case .paymentFailed(let order, _) = outcome else {
            Issue.record("an order whose payment could not be written was reported paid: \(outcome)")
            return
        }
        #expect(order.status == .refundFailed, "the order says the money is still owed back")
        #expect(reported.withLock { $0 } == ["\(order.id) unknown_payment"])
        let refunds = try await shop.book.payments(orderId: order.id).filter { $0.kind == .refund }
        #expect(refunds.map(\.outcome) == ["unknown_payment"])
        #expect(try await shop.book.events(orderId: order.id).map(\.status) == [.placed, .refundFailed])
        #expect(try shop.book.all(status: .refundFailed).map(\.id) == [order.id], "staff can list it")

        try await shop.pipeline.recover(placedBefore: Date())
        let retried = try #require(try await shop.book.order(order.id))
        #expect(retried.status == .cancelled)
        #expect(try await shop.book.payments(orderId: order.id).filter { $0.kind == .refund }.map(\.outcome) == ["unknown_payment", "succeeded"])
        #expect(reported.withLock { $0 }.count == 1, "the retry succeeded")
        // The latte went back on the shelf once, not again when the refund was retried.
        #expect(try SQLiteCatalogStorage(database: shop.book.database).catalog().product("latte")?.stock == 5)
    }

    /// A store error reading the saved payment method is not an invalid payment method: the
    /// order is not cancelled, nothing is asked of the provider, and the recovery pays it.
    @Test func aStoreErrorReadingThePaymentMethodLeavesTheOrderForTheRecovery() async throws {
        let failing = PaymentMethodReadFailing()
        let shop = try Self.shop(customers: { book in failing.book = book; return failing })
        let outcome = try await shop.pipeline.place(Self.placement(shop, key: "method-unreadable"))
        guard case .paid(let order) = outcome else {
            Issue.record("the order was ended as if its payment method were invalid: \(outcome)")
            return
        }
        #expect(order.status == .placed, "waiting for the recovery")
        #expect(try await shop.book.payments(orderId: order.id).isEmpty, "the provider was not called")

        failing.fails = false
        try await shop.pipeline.recover(placedBefore: Date())
        #expect(try await shop.book.order(order.id)?.status == .paid)
    }

    // MARK: - Recovery

    /// Recovery read each status with a limit of 1,000: after a crash with more orders than
    /// that, the oldest waited for more restarts.
    @Test func theRecoveryPagesThroughEveryOrderOldestFirst() async throws {
        let courier = CountingCourier()
        let count = 1_005
        let shop = try Self.shop(fulfilment: courier, stock: count)
        let start = Date(timeIntervalSinceNow: -3_600)
        for index in 0..<count {
            let at = start.addingTimeInterval(Double(index))
            let (order, _) = try shop.book.place(Self.placement(shop, key: "order-\(index)"), at: at)
            try shop.book.transition(orderId: order.id, to: .paid, from: .placed, note: nil, source: "test", at: at)
        }
        try await shop.pipeline.recover(placedBefore: Date())
        let dispatched = courier.dispatched
        #expect(dispatched.count == count && Set(dispatched).count == count, "\(dispatched.count) of \(count) dispatched once each")
        let first = try #require(try shop.book.oldest(status: .paid, after: nil, limit: 1).first)
        #expect(dispatched.first == first.id, "oldest first")
        #expect(try shop.book.all(status: .paid, limit: 2_000).allSatisfy { $0.trackingNumber != nil })
    }

    /// Recovery used to dispatch every paid, preparing and out-for-delivery order again, every
    /// 25 s on shared stores: the sandbox courier restarted each schedule and nothing arrived.
    @Test func theRecoveryLeavesOrdersWithTheCourierToIt() async throws {
        let courier = CountingCourier()
        let shop = try Self.shop(fulfilment: courier)
        let outcome = try await shop.pipeline.place(Self.placement(shop, key: "dispatched-once"))
        guard case .paid(let order) = outcome else {
            Issue.record("not paid: \(outcome)")
            return
        }
        #expect(courier.dispatched == [order.id])
        try await shop.pipeline.recover(placedBefore: Date())
        try await shop.pipeline.recover(placedBefore: Date())
        #expect(courier.dispatched == [order.id], "handed to the courier once")
        #expect(courier.resumed == [order.id, order.id], "only asked whether it still has it")
    }

    /// The sandbox courier takes up an order a restart dropped on its original schedule, once,
    /// and a second dispatch of an order it has starts no second delivery.
    @Test func theSandboxCourierResumesOnScheduleAndDispatchesOnce() async throws {
        let courier = SandboxCourier(schedule: .init(preparing: 60, outForDelivery: 120, delivered: 3_600))
        let running = Task { await courier.run() }
        defer { running.cancel() }
        // Paid 170 s ago: preparing and out for delivery are overdue, delivery is an hour away.
        await courier.resume(orderId: "o1", trackingNumber: "TS1", status: .paid, since: Date(timeIntervalSinceNow: -170))
        await courier.resume(orderId: "o1", trackingNumber: "TS1", status: .paid, since: Date())
        #expect(try await courier.dispatch(orderId: "o1", status: .paid) == "TS1")
        var updates = courier.updates.makeAsyncIterator()
        #expect(await updates.next() == TrackingUpdate(orderId: "o1", trackingNumber: "TS1", status: .preparing))
        #expect(await updates.next() == TrackingUpdate(orderId: "o1", trackingNumber: "TS1", status: .outForDelivery))
        // The last step is still to come whichever call came later: none restarted the schedule.
        #expect(courier.pendingSteps(orderId: "o1") == [.delivered])
    }
}
