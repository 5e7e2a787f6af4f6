import Commerce
import Foundation
import GRDB
import Server
import Simulators
import Store
import Synchronization
import TalkshopTesting
import PostgresStore
import Testing

/// Kills the server with SIGKILL at random moments while two devices keep ordering, restarts
/// it, and checks the database: every order a device saw confirmed exists exactly once, no
/// order is half-written, stock adds up, and SQLite's integrity check passes.
@Suite(.serialized) struct CrashSafetyTests {
    static let rounds = 6

    /// The crash test's server: few decoders, no limits in the way, a quick courier.
    static func configuration(in directory: URL) throws -> URL {
        let config = directory.appendingPathComponent("talkshop.yaml")
        try """
            port: 0
            decoderPoolSize: 1
            limits: {utterancesPerMinutePerDevice: 100000, maxSessionsPerDevice: 16}
            guards: {repeatWindowSeconds: 0, dailySpendLimitMinorUnits: 100000000}
            paymentTimeoutSeconds: 1
            courier: {preparing: 0.2, outForDelivery: 0.4, delivered: 0.6}
            """.write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    @Test func killingTheServerDuringOrderPlacementLosesNothingConfirmedAndHalfWritesNothing() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-crash-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = [
            "--config", try Self.configuration(in: directory).path, "--data-directory", directory.appendingPathComponent("var").path,
            "--log-level", "error",
        ]
        let seen = try await Self.orderWhileKilling(arguments: arguments, token: nil) {
            try await SQLiteOrderStorage(database: AppDatabase.open(at: directory.appendingPathComponent("var/talkshop.sqlite")))
                .all(status: .placed, limit: 10).isEmpty
        }

        let database = try AppDatabase.open(at: directory.appendingPathComponent("var/talkshop.sqlite"))
        let integrity = try await database.writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") }
        #expect(integrity == "ok")
        let stock = try SQLiteCatalogStorage(database: database).catalog().product("mocha")?.stock
        try await Self.check(seen: seen, orders: SQLiteOrderStorage(database: database), stock: stock)
    }

    /// The same on PostgreSQL: a node killed again and again while two devices order; the
    /// database must hold every confirmed order exactly once.
    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func killingANodeDuringOrderPlacementOnPostgreSQLLosesNothing() async throws {
        try await TestPostgres.withDatabase { url, location in
            let database = PostgresConnections(location: location)
            let token = try await TestPostgres.shopWithADevice(at: location, customerId: "demo-customer")
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-crash-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let arguments = [
                "--config", try Self.configuration(in: directory).path, "--data-directory", directory.appendingPathComponent("var").path,
                "--database", url, "--log-level", "error",
            ]
            // On shared stores a live node settles an order left unpaid once it is older than the
            // grace (twice the payment timeout and 5 s: 7 s here), so the last node waits for that.
            let seen = try await Self.orderWhileKilling(arguments: arguments, token: token) {
                try await PostgresOrderStorage(database: database).all(status: .placed, limit: 10).isEmpty
            }
            let stock = try await PostgresCatalogStorage(database: database).catalog().product("mocha")?.stock
            try await Self.check(seen: seen, orders: PostgresOrderStorage(database: database), stock: stock)
        }
    }

    /// Two devices order through the server while it is killed at random moments, `rounds`
    /// times; a last start finishes what the crashes interrupted. Returns the orders the
    /// devices saw confirmed. `token`: the device's (nil: the one printed on first start).
    static func orderWhileKilling(
        arguments: [String], token: String?, settled: @Sendable () async throws -> Bool
    ) async throws -> Set<String> {
        let confirmed = OrderIds()
        var token = token
        var generator = SystemRandomNumberGenerator()
        for round in 0..<Self.rounds {
            let server = try await ServerProcess(arguments: arguments, environment: ServerProcess.sharedKeyEnvironment)
            token = token ?? server.firstStartToken
            let url = try #require(server.url), deviceToken = try #require(token)
            let ordering = Task {
                await withTaskGroup(of: Void.self) { group in
                    for _ in 0..<2 {
                        group.addTask {
                            while !Task.isCancelled {
                                var client = VoiceClient(url: url, token: deviceToken, fast: true)
                                client.resultTimeout = .seconds(3)
                                let events = try? await client.run([
                                    .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult,
                                    .text("check out"), .awaitResult, .text("yes"), .awaitResult, .stop,
                                ]) { event in
                                    if case .order(let id, "placed", _) = event { confirmed.insert(id) }
                                }
                                if events == nil { try? await Task.sleep(for: .milliseconds(20)) }
                            }
                        }
                    }
                }
            }
            // The first kill waits for a first confirmed order (a loaded machine takes longer to
            // get there, and a crash test with nothing confirmed proves nothing); every kill then
            // comes at a random moment of the ordering.
            await confirmed.waitUntilNotEmpty(atMost: .seconds(60))
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1_500, using: &generator)))
            await server.kill()
            ordering.cancel()
            // A client caught mid-session by the kill may wait out its timeouts; like a real
            // device it is left to give up on its own while the next round starts.
            await Self.waitAtMost(.seconds(5)) { await ordering.value }
            print("crash round \(round + 1): killed; \(confirmed.all.count) orders confirmed so far")
        }
        // A last start finishes what the crashes interrupted: it runs until no order is left
        // unpaid (the checks below fail if that never comes).
        let last = try await ServerProcess(arguments: arguments, environment: ServerProcess.sharedKeyEnvironment)
        for _ in 0..<600 where try await !settled() { try await Task.sleep(for: .milliseconds(100)) }
        await last.stop()
        let seen = confirmed.all
        try #require(!seen.isEmpty, "no order was confirmed before the kills")
        return seen
    }

    /// Every order the devices saw confirmed exists exactly once; none is half-written (each
    /// has its first event, lines and a settled status); keys are unique; stock adds up (the
    /// catalog file's 500 mochas less what live orders took).
    static func check(seen: Set<String>, orders book: any OrderStorage, stock: Int?) async throws {
        let orders = try await book.all(status: nil, limit: 100_000)
        let ids = orders.map(\.id)
        for id in seen {
            #expect(ids.filter { $0 == id }.count == 1, "order \(id)")
        }
        for order in orders {
            #expect(try await book.events(orderId: order.id).first?.status == .placed)
            #expect(try !order.lines().isEmpty)
            #expect(order.status != .placed, "order \(order.id) was never settled")
        }
        #expect(Set(orders.map(\.idempotencyKey)).count == orders.count)
        let taken = try orders.filter { $0.status != .cancelled }.flatMap { try $0.lines() }
            .filter { $0.productId == "mocha" }.reduce(0) { $0 + $1.quantity }
        #expect(stock == 500 - taken)
        print("crash test: \(Self.rounds) kills, \(seen.count) orders confirmed, \(orders.count) stored")
    }
}

extension CrashSafetyTests {
    /// Runs `body`, but returns after `limit` even if it has not finished (it runs on).
    static func waitAtMost(_ limit: Duration, _ body: @escaping @Sendable () async -> Void) async {
        let done = AsyncStream<Void>.makeStream()
        Task {
            await body()
            done.continuation.finish()
        }
        Task {
            try? await Task.sleep(for: limit)
            done.continuation.finish()
        }
        for await _ in done.stream {}
    }
}

/// Order ids the devices saw confirmed, gathered from concurrent sessions.
final class OrderIds: Sendable {
    private let ids = Mutex(Set<String>())
    func insert(_ id: String) { ids.withLock { _ = $0.insert(id) } }
    var all: Set<String> { ids.withLock { $0 } }

    func waitUntilNotEmpty(atMost limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while all.isEmpty && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
