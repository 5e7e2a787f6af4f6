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
            let registry = SessionRegistry(limits: limits)
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

/// Leases on PostgreSQL: one node runs a job at a time, and a dead node's lease passes on.
struct LeaseTests {
    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func oneNodeAtATimeAndADeadNodesLeasePassesOn() async throws {
        try await Backend.withPostgres { connections in
            let nodeA = PostgresNode(database: connections)
            let nodeB = PostgresNode(database: connections)
            let (started, signalStarted) = AsyncStream.makeStream(of: Void.self)
            let (finish, signalFinish) = AsyncStream.makeStream(of: Void.self)
            // Node A takes the sweeper's lease and holds it until told to finish.
            let holder = Task {
                try await nodeA.withLease("retention sweep") {
                    signalStarted.yield()
                    for await _ in finish { break }
                    return "A swept"
                }
            }
            for await _ in started { break }
            let run1 = try await nodeB.withLease("retention sweep") { "B swept" }

            #expect(run1 == nil, "B must not sweep while A does")
            let run2 = try await nodeA.withLease("retention sweep") { "A again" }

            #expect(run2 == nil, "nor A twice at once")
            let run3 = try await nodeB.withLease("order recovery") { "B recovered" }

            #expect(run3 == "B recovered", "other leases are free")

            // A dies mid-run: its lease passes to B as soon as PostgreSQL has ended A's session.
            await nodeA.stop()
            var run4: String?
            for _ in 0..<250 where run4 == nil {
                run4 = try await nodeB.withLease("retention sweep") { "B swept" }
                if run4 == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(run4 == "B swept")
            signalFinish.yield()
            _ = try? await holder.value
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

    @Test(.enabled(if: PostgresMigratorTests.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func aLeaseIsReleasedWhenTheRunEndsOrThrows() async throws {
        try await Backend.withPostgres { connections in
            let nodeA = PostgresNode(database: connections)
            let nodeB = PostgresNode(database: connections)
            struct Failed: Error {}
            let run5 = try await nodeA.withLease("recovery") { 1 }

            #expect(run5 == 1)
            let run6 = try await nodeB.withLease("recovery") { 2 }

            #expect(run6 == 2)
            await #expect(throws: Failed.self) { try await nodeA.withLease("recovery") { () async throws -> Int in throw Failed() } }
            let run7 = try await nodeB.withLease("recovery") { 3 }

            #expect(run7 == 3)
            await nodeA.stop()
            await nodeB.stop()
        }
    }
}
