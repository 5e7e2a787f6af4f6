import Commerce
import Foundation
import Server
import Store
import Testing

struct OrderPipelineTests {
    @Test func concurrentRetriesOfOnePlacementPayOnceAndNeverCancel() async throws {
        try await TestServer.with { server in
            let services = server.services
            let method = try #require(try services.customers.defaultPaymentMethod(customerId: "customer-1"))
            let line = Cart.Line(productId: "mocha", quantity: 1, options: ["size": "small"], unitPrice: Money(minorUnits: 400, currency: "USD"))
            let placement = OrderBook.Placement(
                customerId: "customer-1", deviceId: server.deviceId, lines: [line], total: line.total, paymentMethodId: method.id,
                idempotencyKey: "retry-test", source: "test")
            let outcomes = try await withThrowingTaskGroup(of: OrderPipeline.Outcome.self) { group in
                for _ in 0..<4 { group.addTask { try await services.pipeline.place(placement) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for outcome in outcomes {
                guard case .paid = outcome else {
                    Issue.record("a retry was not reported paid: \(outcome)")
                    continue
                }
            }
            let orders = try services.orders.all()
            #expect(orders.count == 1)
            let id = try #require(orders.first?.id)
            #expect(try services.orders.events(orderId: id).map(\.status).prefix(2) == ["placed", "paid"])
            #expect(!(try services.orders.events(orderId: id).map(\.status).contains("cancelled")))
        }
    }
}
