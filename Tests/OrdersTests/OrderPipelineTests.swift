import Commerce
import Foundation
import Logging
import Orders
import Store
import Testing

/// The pipeline on a real SQLite database (in memory) and the sandbox payment provider: no
/// server, sockets or decoders.
struct OrderPipelineTests {
    static let latte = Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 5)

    struct Shop {
        let pipeline: OrderPipeline
        let gateway: SandboxPaymentGateway
        let customer: Customer
        let method: PaymentMethod
    }

    static func shop(card: String = "pm_card_visa") throws -> Shop {
        let database = try AppDatabase.inMemory()
        try CatalogStore(database: database).seedIfEmpty(with: try Catalog(currency: "USD", products: [latte]))
        let customers = CustomerBook(database: database)
        let customer = try customers.add(.init(name: "Test Customer", paymentMethod: (token: card, label: "test card")))
        let method = try #require(try customers.defaultPaymentMethod(customerId: customer.id))
        let gateway = SandboxPaymentGateway(hang: .seconds(3_600))
        let pipeline = OrderPipeline(
            orders: OrderBook(database: database), customers: customers, gateway: gateway, fulfilment: SandboxCourier(),
            paymentTimeout: .seconds(30), logger: Logger(label: "test"))
        return Shop(pipeline: pipeline, gateway: gateway, customer: customer, method: method)
    }

    static func placement(_ shop: Shop, key: String) -> OrderBook.Placement {
        let line = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: latte.price)
        return OrderBook.Placement(
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
}
