import ArgumentParser
import Commerce
import Crypto
import Foundation
import Logging
import Orders
import PostgresStore
import Store
import Synchronization

/// How many turns and orders one PostgreSQL takes through Talkshop's own write path.
struct BenchStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Drive Talkshop's own write path against a PostgreSQL database at saturation; print turns and orders per second.",
        discussion: """
            Each writer is a speaking customer with no think time: per turn it counts the
            utterance against the device's per-minute limit, saves the cart over its version,
            saves the dialog state (what a node writes for every utterance) and, unless
            --no-turns, stores the turn with its transcript sealed; every --order-every
            turns it places the cart as an order (cart version claimed, stock taken, idempotency
            key, fingerprint) and pays it through the sandbox gateway (payment records, capture,
            the paid event and its notification). Connections come from a pool of 16, as in a
            server node. Use a database of its own: the bench adds a customer, devices and a
            product to it.
              talkshop bench store --database postgres://talkshop@127.0.0.1/bench --writers 32 --duration 20s
            docs/performance.md turns the figure into nodes per database.
            """)

    @OptionGroup var data: DataOptions
    @Option(help: "Concurrent writers (customers speaking with no pause).") var writers = 32
    @Option(help: "How long to run: 20s, 1m or plain seconds.") var duration = "20s"
    @Option(help: "An order after this many turns of a writer.") var orderEvery = 10
    @Flag(name: .customLong("turns"), inversion: .prefixedNo, help: "Also store each turn, its transcript sealed under the customer's key (PostgresTurnStorage), as nodes will once turns are shared.")
    var storeTurns = true

    func validate() throws {
        guard writers > 0, orderEvery > 0 else { throw ValidationError("--writers and --order-every must be positive") }
        _ = try LoadPlan.seconds(duration)
    }

    func run() async throws {
        guard let location = try data.postgres() else { throw UsageError("name the PostgreSQL database: --database postgres://… (or TALKSHOP_DATABASE_URL)") }
        let seconds = try LoadPlan.seconds(duration)
        let logger = Logger(label: "talkshop.bench.store")
        try await PostgresMigrator(location: location, logger: logger).migrate()
        let pool = PostgresConnections.pool(for: location, logger: logger)
        let poolTask = Task { await pool.run() }
        defer { poolTask.cancel() }
        let database = PostgresConnections(location: location, pool: pool, logger: logger)
        let node = PostgresNode(database: database)
        try await node.start()
        let stores = ShopStores(postgres: database)
        let limits = PostgresSessionLimits(
            database: database, node: node,
            limits: .init(maxSessions: 100_000, maxSessionsPerDevice: 100, utterancesPerMinutePerDevice: 1_000_000), logger: logger)
        let run = UUID().uuidString.prefix(8).lowercased()
        let customer = try await stores.customers.add(
            .init(id: "bench-\(run)", name: "Bench", paymentMethod: (token: "pm_card_visa", label: "Visa ending 4242")))
        let method = try await stores.customers.defaultPaymentMethod(customerId: customer.id)
        let price = Money(minorUnits: 100, currency: try await stores.catalog.catalog().currency)
        try await stores.catalog.importProducts([Product(id: "bench-\(run)", name: "bench item", price: price, stock: 100_000_000)])
        let turnLog = PostgresTurnStorage(database: database, vault: PostgresKeyVault(database: database, keyEncryptionKey: SymmetricKey(size: .bits256)))
        let pipeline = OrderPipeline(
            orders: stores.orders, customers: stores.customers, gateway: SandboxPaymentGateway(), fulfilment: SandboxCourier(),
            paymentTimeout: .seconds(10), logger: logger)

        Console.line("bench store: \(writers) writers for \(duration) against \(location), an order every \(orderEvery) turns\(storeTurns ? ", turns stored" : "")")
        let tally = Tally()
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        let cpuBefore = CPUClock.processSeconds()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    let device = try await stores.devices.register(
                        name: "bench \(writer)", customerId: customer.id, pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker"
                    ).device
                    let conversation = try await stores.conversations.conversation(resuming: nil, customerId: customer.id, initialState: "main")
                    var version = 0
                    var turn = 0
                    while clock.now < deadline {
                        let started = clock.now
                        turn += 1
                        _ = try await limits.allowUtterance(deviceId: device.id, at: Date())
                        let line = Cart.Line(productId: "bench-\(run)", quantity: 1, options: [:], unitPrice: price)
                        let json = String(decoding: try JSONEncoder().encode([line]), as: UTF8.self)
                        guard let saved = try await stores.conversations.saveCart(conversationId: conversation.id, json: json, replacing: version) else {
                            throw UsageError("the bench's own cart version was taken: another writer on conversation \(conversation.id)")
                        }
                        version = saved
                        try await stores.conversations.save(conversationId: conversation.id, state: turn % orderEvery == 0 ? "confirmation" : "main")
                        if storeTurns {
                            try await turnLog.record(Turn(
                                conversationId: conversation.id, sessionId: "bench-\(writer)", customerId: customer.id, deviceClass: "speaker",
                                transcript: "i'd like a large iced mocha with oat milk", intent: "orderDrink", confidence: 0.93, outcome: "accepted"))
                        }
                        tally.turn(clock.now - started)
                        guard turn % orderEvery == 0 else { continue }
                        let placing = clock.now
                        let placement = OrderPlacement(
                            customerId: customer.id, deviceId: device.id, lines: [line], total: line.total, paymentMethodId: method?.id,
                            idempotencyKey: "\(conversation.id):\(version)", source: "bench", fingerprints: ["\(run)-\(writer)-\(turn)"],
                            cart: .init(conversationId: conversation.id, version: version))
                        guard case .paid = try await pipeline.place(placement) else { throw UsageError("a bench order was not paid") }
                        version += 1  // the order consumed the cart version
                        tally.order(clock.now - placing)
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = seconds
        let (turns, orders) = tally.latencies
        Console.line(String(format: "turns: %d in %.0f s = %.0f turns/s", turns.count, elapsed, Double(turns.count) / elapsed))
        Console.line(String(format: "orders: %d in %.0f s = %.1f orders/s (placed and paid)", orders.count, elapsed, Double(orders.count) / elapsed))
        if !turns.isEmpty { Console.line(LatencySummary.line("turn writes", turns, unit: "turns")) }
        if !orders.isEmpty { Console.line(LatencySummary.line("order placement and payment", orders, unit: "orders")) }
        Console.line(String(format: "this process: %.1f CPU s", CPUClock.processSeconds() - cpuBefore))
        await node.stop()
    }

    /// Latencies of turns and orders, from all writers.
    final class Tally: Sendable {
        private let state = Mutex((turns: [Duration](), orders: [Duration]()))
        func turn(_ latency: Duration) { state.withLock { $0.turns.append(latency) } }
        func order(_ latency: Duration) { state.withLock { $0.orders.append(latency) } }
        var latencies: (turns: [Duration], orders: [Duration]) { state.withLock { $0 } }
    }
}
