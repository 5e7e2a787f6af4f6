import Foundation
import Logging
import PostgresNIO
import PostgresStore
import Simulators
import Store
import Synchronization
import TalkshopTesting
import Testing
import VoiceProtocol

/// Three `talkshop serve` nodes on one PostgreSQL, behind HAProxy running deploy/haproxy.cfg.
/// A customer fills a cart through the proxy; the node serving them is killed with SIGKILL; the
/// device reconnects through the proxy, resumes on another node with the same cart, confirms,
/// and exactly one order is placed. The order's updates, written by that node, are pushed to
/// a session of the customer on the third node; the device's session and rate limits hold
/// across the nodes.
@Suite(.serialized) struct MultiNodeTests {
    static let limits = "limits: {maxSessionsPerDevice: 2, utterancesPerMinutePerDevice: 6}"

    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func aCustomerCutOffOnOneNodeResumesOnAnotherAndOrdersOnce() async throws {
        try await TestPostgres.withDatabase { url, location in
            let database = PostgresConnections(location: location)
            let token = try await TestPostgres.shopWithADevice(at: location, customerId: "c1")

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-nodes-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("talkshop.yaml")
            try """
                port: 0
                decoderPoolSize: 1
                \(Self.limits)
                guards: {repeatWindowSeconds: 0}
                courier: {preparing: 1, outForDelivery: 2, delivered: 3}
                """.write(to: config, atomically: true, encoding: .utf8)
            func node(_ name: String) async throws -> ServerProcess {
                try await ServerProcess(arguments: [
                    "--config", config.path, "--data-directory", directory.appendingPathComponent(name).path, "--database", url, "--log-level", "error",
                ], environment: ServerProcess.sharedKeyEnvironment)
            }
            async let first = node("node1")
            async let second = node("node2")
            async let third = node("node3")
            let nodes = try await [first, second, third]
            let proxy = try await ProxyProcess(nodes: try nodes.map { try #require($0.hostAndPort) })
            defer { Task { await proxy.stop(); for node in nodes { await node.stop() } } }

            // 1. A latte in the cart, through the proxy; find the node serving it.
            let held = AsyncStream.makeStream(of: Void.self)
            let carted = AsyncStream.makeStream(of: String.self)
            let cutOff = Task {
                try? await VoiceClient(url: proxy.url, token: token, fast: true).run([
                    .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult,
                    .awaitEvent { if case .cart = $0 { true } else { false } },
                    .perform { for await _ in held.stream { break } },
                ]) { event in
                    if case .ready(_, let conversationId, _) = event { carted.continuation.yield(conversationId) }
                }
            }
            var started: String?
            for await id in carted.stream {
                started = id
                break
            }
            let conversationId = try #require(started)
            let nodeA = try await Self.node(servingDeviceOf: token, in: database, among: nodes)
            try await Self.waitForCart(conversationId, in: database)

            // 2. Node A dies; the device reconnects through the proxy and resumes elsewhere.
            let killedAt = ContinuousClock.now
            await nodeA.kill()
            held.continuation.finish()
            _ = await cutOff.value
            let resumedAt = Mutex<ContinuousClock.Instant?>(nil)
            let s3Ready = AsyncStream.makeStream(of: Void.self)
            let probed = AsyncStream.makeStream(of: Void.self)
            let placed = Mutex<String?>(nil)
            let resumed = Task {
                try await VoiceClient(url: proxy.url, token: token, fast: true).run([
                    .start(.init(codec: .opus, conversationId: conversationId)),
                    .awaitEvent { if case .cart(let lines, _) = $0 { lines.map(\.product) == ["mocha"] } else { false } },
                    .perform {
                        resumedAt.withLock { $0 = .now }
                        for await _ in s3Ready.stream { break }
                    },
                    .text("check out"), .awaitResult, .text("yes"), .awaitResult,
                    .awaitEvent { if case .order(_, "paid", _) = $0 { true } else { false } },
                    // Open until the limits were probed from node C: two sessions of the device.
                    .perform { for await _ in probed.stream { break } },
                    .stop,
                ]) { event in
                    if case .order(let id, "placed", _) = event { placed.withLock { $0 = id } }
                }
            }
            // 3. The customer's other session, on the third node, directly.
            var nodeB: ServerProcess?
            while nodeB == nil {
                if let serving = try? await Self.node(servingDeviceOf: token, in: database, among: nodes), serving !== nodeA { nodeB = serving }
                try await Task.sleep(for: .milliseconds(20))
            }
            let nodeC = try #require(nodes.first { $0 !== nodeA && $0 !== nodeB })
            let nodeBHTTP = try #require(nodeB?.url).replacingOccurrences(of: "ws://", with: "http://")
            let pushed = Mutex<[String]>([])
            let onNodeC = Task {
                try await VoiceClient(url: try #require(nodeC.url), token: token, fast: true).run([
                    .start(.init(codec: .opus)),
                    .perform { s3Ready.continuation.finish() },
                    .awaitEvent { if case .order(_, "paid", _) = $0 { true } else { false } },
                    // The device's third session, on node B, is refused: two are open.
                    .perform {
                        let status = await HTTPProbe.status(of: nodeBHTTP, bearer: token)
                        #expect(status == 429, "a third session of the device, on another node, is refused")
                    },
                    // The rate limit counts the device's utterances on all nodes: three so far.
                    .text("help"), .awaitResult, .text("help"), .awaitResult, .text("help"), .awaitResult, .text("help"), .awaitResult,
                    .perform { probed.continuation.finish() },
                    .stop,
                ]) { event in
                    if case .order(let id, let status, _) = event { pushed.withLock { $0.append("\(id) \(status)") } }
                }
            }
            let resumedEvents = try await resumed.value
            let nodeCEvents = try await onNodeC.value

            let orderId = try #require(placed.withLock { $0 }, "the resumed session placed the order: \(resumedEvents)")
            #expect(pushed.withLock { $0 }.contains("\(orderId) paid"), "node B's payment was pushed to the session on node C")
            let orders = try await PostgresOrderStorage(database: database).orders(customerId: "c1")
            #expect(orders.map(\.id) == [orderId], "exactly one order")
            #expect(orders.first?.conversationId == conversationId)
            // Delivered on the shared database too: the recovery of whichever node owns it leaves an
            // order with the courier alone (it once restarted the delivery every 25 s).
            var delivered = false
            for _ in 0..<300 where !delivered {
                delivered = try await PostgresOrderStorage(database: database).order(orderId)?.status == .delivered
                if !delivered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(delivered, "the order was delivered")
            let limited = nodeCEvents.filter { if case .error(.rateLimited, _) = $0 { true } else { false } }
            let answered = nodeCEvents.filter { if case .intent = $0 { true } else if case .rejected = $0 { true } else { false } }
            #expect(answered.count == 3 && limited.count == 1, "6 utterances a minute for the device across nodes: \(nodeCEvents)")

            // The turns the nodes heard are in the shared database, sealed under the shared key,
            // those before the order linked to it; an erasure run anywhere removes them all.
            let kek = try KeyVault.sharedKeyEncryptionKey(environment: ServerProcess.sharedKeyEnvironment)
            let turnLog = PostgresTurnStorage(database: database, vault: PostgresKeyVault(database: database, keyEncryptionKey: kek))
            var heard: [Turn] = []
            for _ in 0..<100 where !heard.contains(where: { $0.orderId == orderId }) {
                heard = try await turnLog.turns(customerId: "c1")
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(heard.contains { $0.orderId == orderId && $0.transcript != nil }, "\(heard.map { "\($0.intent ?? "-") \($0.orderId ?? "-")" })")
            #expect(Set(heard.map(\.sessionId)).count >= 2, "turns from the killed node's session and the resumed one")
            let shop = ShopStores(postgres: database)
            // The node that served the order recorded the session's contact for the analytics when it ended.
            var contacts: [ContactRecord] = []
            for _ in 0..<100 where !contacts.contains(where: { $0.counts[ContactCounts.paid] == 1 }) {
                contacts = try await shop.contacts.contacts(endedSince: .distantPast).filter { $0.customerId == "c1" }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(contacts.contains { $0.counts[ContactCounts.paid] == 1 }, "the resumed session's contact: \(contacts)")
            let desk = RetentionOffice(postgres: database, turns: turnLog, orders: shop.orders, customers: shop.customers)
            let erased = try await desk.purge(.customer("c1"), reason: "erasure request", officer: "olga", reference: "T-9", dryRun: false)
            #expect(erased.keyDestroyed && erased.turns == heard.count)
            #expect(try await turnLog.turns(customerId: "c1").isEmpty)
            let anonymised = try await shop.contacts.contacts(endedSince: .distantPast)
            #expect(!anonymised.contains { $0.customerId == "c1" } && anonymised.count >= contacts.count, "kept, without the customer")
            _ = try await ContactRebuild(contacts: shop.contacts).run(endedSince: .distantPast)
            #expect(try await !shop.contacts.contacts(endedSince: .distantPast).contains { $0.customerId == "c1" }, "a rebuild does not bring c1 back")
            if let resumedAt = resumedAt.withLock({ $0 }) {
                print("failover: \(Self.milliseconds(resumedAt - killedAt)) ms from SIGKILL of the serving node to the resumed session's cart")
            }
        }
    }

    /// The node whose session slot the device holds (its key, printed at start, is the slot's).
    static func node(servingDeviceOf token: String, in database: PostgresConnections, among nodes: [ServerProcess]) async throws -> ServerProcess {
        let hash = SQLiteDeviceStorage.hash(token)
        let keys = try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"""
                SELECT s."nodeKey" FROM "sessionSlot" s JOIN "device" d ON d."id" = s."deviceId"
                WHERE d."tokenHash" = \#(hash) AND \#(unescaped: PostgresNode.isAlive(#"s."nodeKey""#))
                """#, logger: logger)
            var keys: [Int] = []
            for try await key in rows.decode(Int.self) { keys.append(key) }
            return keys
        }
        guard keys.count == 1, let node = nodes.first(where: { $0.nodeKey == keys[0] }) else {
            throw ExternalTool.Failure(description: "expected one live session slot, found \(keys)")
        }
        return node
    }

    /// Waits until the conversation's cart is stored (the turn is saved after its answer).
    static func waitForCart(_ conversationId: String, in database: PostgresConnections) async throws {
        let log = PostgresConversationStorage(database: database)
        for _ in 0..<500 {
            if try await log.cart(conversationId: conversationId)?.json != nil { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw ExternalTool.Failure(description: "the cart of \(conversationId) was never stored")
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

extension ServerProcess {
    /// host:port the node listens on.
    var hostAndPort: String? {
        url.map { $0.replacingOccurrences(of: "ws://", with: "").replacingOccurrences(of: "/v1/voice", with: "") }
    }

    /// The node's key in the shared database ("shared database: … as node KEY").
    var nodeKey: Int? {
        text.split(separator: "\n").first { $0.hasPrefix("shared database: ") }.flatMap { $0.split(separator: " ").last.flatMap { Int($0) } }
    }
}
