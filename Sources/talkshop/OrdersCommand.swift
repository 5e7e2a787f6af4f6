import ArgumentParser
import Commerce
import Foundation
import Logging
import Orders
import Store

struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "List, inspect, advance and refund orders.",
        discussion: "Changes reach the customer's connected devices within a second (the server watches the order events).",
        subcommands: [List.self, Show.self, Advance.self, Refund.self],
        aliases: ["order"])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List orders, newest first.")
        @OptionGroup var data: DataOptions
        @Option(help: "Only orders in this status (\(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))).")
        var status: String?
        @Option(help: "Only this customer's orders.") var customer: String?
        @Option(help: "At most this many.") var limit = 50

        func run() async throws {
            let book = try await data.stores().orders
            let wanted = try status.map { try OrdersCommand.status($0) }
            var orders: [OrderRecord]
            if let customer { orders = try await book.orders(customerId: customer) } else { orders = try await book.all(status: wanted, limit: limit) }
            if let wanted { orders = orders.filter { $0.status == wanted } }
            let formatter = ISO8601DateFormatter()
            for order in orders.prefix(limit) {
                let total = order.total
                print("\(order.id)  \(order.status.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0))  \(total)  \(order.customerId)  \(formatter.string(from: order.createdAt))")
            }
            if orders.isEmpty { print("no orders") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show an order: lines, events, payments, tracking.")
        @OptionGroup var data: DataOptions
        @Argument(help: "Order id (or its first characters).") var id: String

        func run() async throws {
            let book = try await data.stores().orders
            let order = try await OrdersCommand.find(id, in: book)
            let formatter = ISO8601DateFormatter()
            print("order \(order.id)")
            print("  status    \(order.status)")
            print("  customer  \(order.customerId)   device \(order.deviceId)")
            print("  total     \(order.total)")
            if let tracking = order.trackingNumber { print("  tracking  \(tracking)") }
            print("  lines")
            for line in try order.lines() {
                let options = line.options.keys.sorted().map { "\($0)=\(line.options[$0]!)" }.joined(separator: ", ")
                print("    \(line.quantity) × \(line.productId)\(options.isEmpty ? "" : " (\(options))")  \(line.total)")
            }
            print("  events")
            for event in try await book.events(orderId: order.id) {
                print("    \(formatter.string(from: event.createdAt))  \(event.status)  by \(event.source)\(event.note.map { "  (\($0))" } ?? "")")
            }
            print("  payments")
            for payment in try await book.payments(orderId: order.id) {
                print("    \(formatter.string(from: payment.createdAt))  \(payment.kind)  \(Money(minorUnits: payment.amountMinorUnits, currency: payment.currency))  \(payment.outcome)\(payment.providerReference.map { "  \($0)" } ?? "")")
            }
        }
    }

    struct Advance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Move an order to its next status (paid → preparing → out_for_delivery → delivered).",
            discussion: "Use --to ready_for_pickup for a pickup order. Illegal moves are refused and change nothing.")
        @OptionGroup var data: DataOptions
        @Argument(help: "Order id (or its first characters).") var id: String
        @Option(help: "The status to move to (default: the next one on the delivery path).") var to: String?

        func run() async throws {
            let book = try await data.stores().orders
            let order = try await OrdersCommand.find(id, in: book)
            let current = order.status
            let path: [OrderStatus] = [.paid, .preparing, .outForDelivery, .delivered]
            let target: OrderStatus
            if let to {
                target = try OrdersCommand.status(to)
            } else if let index = path.firstIndex(of: current), index + 1 < path.count {
                target = path[index + 1]
            } else if current == .readyForPickup {
                target = .delivered
            } else {
                throw UsageError("order \(order.id) is \(current.rawValue); there is no next step (use --to)")
            }
            // An illegal move is printed as "Error: an order cannot go from … to …".
            let moved = try await book.transition(orderId: order.id, to: target, from: nil, note: "by staff", source: "staff", at: Date())
            print("order \(moved.id): \(current.rawValue) → \(moved.status)")
        }
    }

    struct Refund: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refund a paid order in full (a return after delivery, or before it), through the payment provider.")
        @OptionGroup var data: DataOptions
        @Argument(help: "Order id (or its first characters).") var id: String
        @Option(help: "Why, for the order's history.") var reason: String

        func run() async throws {
            let stores = try await data.stores()
            let order = try await OrdersCommand.find(id, in: stores.orders)
            let pipeline = OrderPipeline(
                orders: stores.orders, customers: stores.customers, gateway: SandboxPaymentGateway(), fulfilment: SandboxCourier(),
                paymentTimeout: .seconds(10), logger: Logger(label: "talkshop.orders"))
            do {
                let refunded = try await pipeline.refund(order, reason: reason, source: "staff")
                print("order \(refunded.id): refunded \(refunded.total)")
            } catch let error as CommerceError {
                throw UsageError("cannot refund order \(order.id) (\(order.status)): \(error)")
            }
        }
    }

    static func find(_ id: String, in book: any OrderStorage) async throws -> OrderRecord {
        if let order = try await book.order(id) { return order }
        if let order = try await book.order(matching: id) { return order }
        throw UsageError("no order \(id) (or more than one starts with it)")
    }

    static func status(_ text: String) throws -> OrderStatus {
        guard let status = OrderStatus(rawValue: text) else {
            throw UsageError("unknown status '\(text)'; one of \(OrderStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }
}
