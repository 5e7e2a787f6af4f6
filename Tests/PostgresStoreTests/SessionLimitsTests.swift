import Foundation
import Logging
import PostgresStore
import Store
import Testing

/// The session and rate limits on both backends, the same tests. On PostgreSQL "two nodes" are
/// two `PostgresNode`s, each with its own presence connection, counting in one database.
struct SessionLimitsTests {
    static let limits = SessionLimitValues(maxSessions: 3, maxSessionsPerDevice: 2, utterancesPerMinutePerDevice: 4)

    /// Two nodes' limits; `stopNodeA` makes node A die as a SIGKILL would (its connection ends).
    static func withTwoNodes(
        _ backend: Backend, _ body: (_ nodeA: any SessionLimits, _ nodeB: any SessionLimits, _ stopNodeA: @Sendable () async -> Void) async throws -> Void
    ) async throws {
        switch backend {
        case .sqlite:
            // One node counts in memory; "both nodes" are the same process.
            let registry = MemorySessionLimits(limits: limits)
            try await body(registry, registry, {})
        case .postgres:
            try await Backend.withPostgres { connections in
                let nodeA = PostgresNode(database: connections)
                let nodeB = PostgresNode(database: connections)
                let logger = Logger(label: "test")
                try await body(
                    PostgresSessionLimits(database: connections, node: nodeA, limits: limits, logger: logger),
                    PostgresSessionLimits(database: connections, node: nodeB, limits: limits, logger: logger),
                    { await nodeA.stop() })
                await nodeA.stop()
                await nodeB.stop()
            }
        }
    }

    @Test(arguments: Backend.available)
    func aDevicesSessionsAreLimitedWhicheverNodesTheyReach(_ backend: Backend) async throws {
        try await Self.withTwoNodes(backend) { nodeA, nodeB, _ throws in
            let first = try await nodeA.admit(deviceId: "kitchen")
            _ = try await nodeB.admit(deviceId: "kitchen")
            #expect(try await !nodeA.canAdmit(deviceId: "kitchen"))
            #expect(try await !nodeB.canAdmit(deviceId: "kitchen"))
            await #expect(throws: SessionRefusal.tooManyForDevice) { try await nodeB.admit(deviceId: "kitchen") }
            _ = try await nodeB.admit(deviceId: "hall")
            await #expect(throws: SessionRefusal.tooManyInTotal) { try await nodeA.admit(deviceId: "porch") }
            await nodeA.release(first)
            #expect(try await nodeB.canAdmit(deviceId: "kitchen"))
            _ = try await nodeB.admit(deviceId: "kitchen")
        }
    }

    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func aDeadNodesSessionsStopCountingAtOnce() async throws {
        try await Self.withTwoNodes(.postgres) { nodeA, nodeB, stopNodeA throws in
            _ = try await nodeA.admit(deviceId: "kitchen")
            _ = try await nodeA.admit(deviceId: "kitchen")
            #expect(try await !nodeB.canAdmit(deviceId: "kitchen"))
            await stopNodeA()
            var admitted = false
            for _ in 0..<250 where !admitted {
                admitted = try await nodeB.canAdmit(deviceId: "kitchen")
                if !admitted { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(admitted, "node A's slots died with it, as soon as PostgreSQL ended its session")
            _ = try await nodeB.admit(deviceId: "kitchen")
            _ = try await nodeB.admit(deviceId: "kitchen")
            await #expect(throws: SessionRefusal.tooManyForDevice) { try await nodeB.admit(deviceId: "kitchen") }
        }
    }

    @Test(arguments: Backend.available)
    func utterancesPerMinuteAreCountedAcrossNodes(_ backend: Backend) async throws {
        try await Self.withTwoNodes(backend) { nodeA, nodeB, _ throws in
            let start = Date(timeIntervalSince1970: 1_800_000_000)  // on a minute boundary
            for second in 0..<4 {
                let node = second.isMultiple(of: 2) ? nodeA : nodeB
                #expect(try await node.allowUtterance(deviceId: "kitchen", at: start.addingTimeInterval(Double(second))))
            }
            #expect(try await !nodeA.allowUtterance(deviceId: "kitchen", at: start.addingTimeInterval(10)))
            #expect(try await !nodeB.allowUtterance(deviceId: "kitchen", at: start.addingTimeInterval(30)))
            #expect(try await nodeB.allowUtterance(deviceId: "hall", at: start.addingTimeInterval(30)), "another device has its own budget")
            #expect(try await nodeA.allowUtterance(deviceId: "kitchen", at: start.addingTimeInterval(75)), "a minute later there is room again")
        }
    }
}

/// Leases on PostgreSQL: one owner per job while it lives, and a dead node's lease passes on.
struct LeaseTests {
    /// Every node once took the lease only while its own timer's run lasted, so each node swept
    /// on its own schedule (82 sweeps in 22 minutes on three nodes).
    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func aLeaseHasOneOwnerUntilItDiesAndTheOwnerIsVisible() async throws {
        try await Backend.withPostgres { connections in
            let nodeA = PostgresNode(database: connections)
            let nodeB = PostgresNode(database: connections)
            #expect(try await nodeA.owns(LeaseName.retentionSweep))
            #expect(try await !nodeB.owns(LeaseName.retentionSweep), "B must not sweep while A owns the sweep")
            #expect(try await nodeA.owns(LeaseName.retentionSweep), "A keeps it: asking again is no new run")
            #expect(try await nodeB.owns(LeaseName.orderRecovery), "other leases are free")
            #expect(try await !nodeA.owns(LeaseName.orderRecovery))
            let holders = try await PostgresNode.leaseHolders(LeaseName.all, database: connections)
            #expect(holders == [LeaseName.retentionSweep: nodeA.key, LeaseName.orderRecovery: nodeB.key], "\(holders)")
            #expect(nodeA.actorName == "system (node \(nodeA.key))")

            // A dies: its lease passes to B as soon as PostgreSQL has ended A's session.
            await nodeA.stop()
            var taken = false
            for _ in 0..<250 where !taken {
                taken = try await nodeB.owns(LeaseName.retentionSweep)
                if !taken { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(taken)
            #expect(try await PostgresNode.leaseHolders(LeaseName.all, database: connections).values.allSatisfy { $0 == nodeB.key })
            await nodeB.stop()
        }
    }

    /// Many sessions of a node asking for its presence at once (as after a lost connection)
    /// open one connection: a second one's lock on the same key would wait for ever.
    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func concurrentStartsOfOneNodeOpenOnePresence() async throws {
        try await Backend.withPostgres { connections in
            let node = PostgresNode(database: connections)
            // Unstructured, so a start stuck on the lock fails the test rather than hanging it.
            let (outcome, report) = AsyncStream.makeStream(of: Bool.self)
            Task {
                await withTaskGroup(of: Void.self) { starts in
                    for _ in 0..<10 { starts.addTask { try? await node.start() } }
                }
                report.yield(true)
            }
            Task {
                try? await Task.sleep(for: .seconds(30))  // a guard against hanging, not a timing
                report.yield(false)
            }
            var started = false
            for await finished in outcome {
                started = finished
                break
            }
            #expect(started, "ten concurrent starts did not all return")
            let holders = try await connections.withConnection { connection, logger in
                var count = 0
                for try await n in try await connection.query(
                    "SELECT COUNT(*)::BIGINT FROM pg_locks WHERE locktype = 'advisory' AND classid = \(Int(PostgresNode.nodeLockSpace))::oid AND objid = \(Int(node.key))::oid",
                    logger: logger
                ).decode(Int.self) { count = n }
                return count
            }
            #expect(holders == 1, "one presence lock, granted, and no second session waiting for it")
            await node.stop()
        }
    }
}
