import Commerce
import Conversation
import Foundation
import Grammar
import Logging
import Orders
@testable import Server
import Store

/// A shop for driving the dialog and its order desk alone: the SQLite stores in memory, the
/// sandbox payment provider (or a test's own), a clock the test moves. No socket, no decoder.
struct DialogFixture {
    /// A latte, a mocha and a muffin, priced so that two lattes pass a 10-dollar limit and not a 5-dollar one.
    static let catalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 20),
        Product(id: "mocha", name: "mocha", price: Money(minorUnits: 450, currency: "USD"), stock: 20),
    ])

    let stores: NodeStores
    let services: DialogServices
    let clock: ManualClock
    let customer: Customer
    let directory: URL

    /// `card`: the customer's saved payment method (the sandbox's test names); `pin`: their PIN.
    init(
        card: String = "pm_card_visa", pin: String? = "1234", gateway: (any PaymentGateway)? = nil,
        guards: ConfirmationGuard.Settings = .init()
    ) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dialog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let database = try AppDatabase.inMemory()
        stores = try NodeStores.sqlite(
            database, dataDirectory: directory, limits: .init(maxSessions: 100, maxSessionsPerDevice: 10, utterancesPerMinutePerDevice: 100))
        try SQLiteCatalogStorage(database: database).seedIfEmpty(with: Self.catalog)
        customer = try SQLiteCustomerStorage(database: database).add(.init(name: "Ann", pin: pin, paymentMethod: (token: card, label: "Visa ending 4242")))
        clock = ManualClock()
        let logger = Logger(label: "dialog-test")
        let metrics = Metrics()
        let pipeline = OrderPipeline(
            orders: stores.shop.orders, customers: stores.shop.customers, gateway: gateway ?? SandboxPaymentGateway(),
            fulfilment: SandboxCourier(), paymentTimeout: .seconds(30), logger: logger)
        services = DialogServices(
            guards: guards, clock: clock, sessions: stores.shop.conversations, orders: stores.shop.orders, customers: stores.shop.customers,
            pipeline: pipeline, turns: TurnArchive(log: stores.turnLog, logger: logger),
            broadcasts: BroadcastWatch(settings: .init(), metrics: metrics, logger: logger), metrics: metrics)
    }

    /// A device of the customer's.
    func device(pinRequired: Bool = false, dailyLimit: Int? = nil) async throws -> Device {
        try await stores.shop.devices.register(
            name: "kitchen", customerId: customer.id, pinRequired: pinRequired, dailySpendLimitMinorUnits: dailyLimit, deviceClass: "speaker"
        ).device
    }

    /// A session of `device` with its conversation open (a new one, or `resuming` one).
    func session(_ device: Device, resuming conversationId: String? = nil) async throws -> DialogRunner {
        let record = try await stores.shop.conversations.open(deviceId: device.id, channel: "voice")
        var runner = DialogRunner(services: services, device: device, sessionId: record.id, catalog: Self.catalog, logger: Logger(label: "dialog-test"))
        _ = try await runner.open(resuming: conversationId)
        return runner
    }

    func orders() async throws -> [OrderRecord] {
        try await stores.shop.orders.orders(customerId: customer.id)
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

extension DialogRunner {
    /// The customer says this (as a confident, accepted intent).
    mutating func say(_ command: Command, _ slots: [String: String] = [:]) async -> [DialogReply] {
        await heard(Intent(command, slots: slots, text: command.rawValue), confidence: 1, transcript: command.rawValue, fingerprint: nil)
    }

    /// "A latte" (or `product`), then "check out": the replies to the checkout.
    mutating func orderAndCheckOut(_ product: String = "latte", quantity: Int = 1) async -> [DialogReply] {
        _ = await say(.orderDrink, ["coffeeDrink": product, "quantity": "\(quantity)"])
        return await say(.checkout)
    }
}

extension [DialogReply] {
    /// The prompts said, in order.
    var said: [Prompt] {
        compactMap { if case .say(let prompt) = $0 { prompt } else { nil } }
    }
}
