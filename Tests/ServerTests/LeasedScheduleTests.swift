import Logging
@testable import Server
import Store
import Synchronization
import Testing

/// A job under a lease runs on its owner only: once when the node takes the lease, then every
/// interval; a node that loses it stops, and runs it at once when it takes it back.
struct LeasedScheduleTests {
    final class SwitchedLeases: Leases {
        let owner = Mutex(false)
        let asked = Mutex(0)
        func owns(_ name: String) async throws -> Bool {
            asked.withLock { $0 += 1 }
            return owner.withLock { $0 }
        }

        /// Waits until the schedule has asked twice more: it has seen the lease as it is now.
        func seen() async -> Bool {
            let now = asked.withLock { $0 }
            // Generous: with the suite sharing both cores, a 10 ms sleep may take seconds.
            return await TestServer.eventually(within: .seconds(120)) { asked.withLock { $0 } >= now + 2 }
        }
        var actorName: String { "system (node 1)" }
    }

    @Test func onlyTheOwnerRunsTheJobAndANewOwnerRunsItAtOnce() async throws {
        let leases = SwitchedLeases()
        let runs = Mutex<[Int]>([])
        // An interval far longer than the test: every run seen comes from taking the lease.
        let schedule = LeasedSchedule(lease: "job", interval: .seconds(3_600), check: .milliseconds(10), leases: leases, logger: Logger(label: "test"))
        let running = Task { await schedule.run { before in runs.withLock { $0.append(before) } } }
        defer { running.cancel() }
        #expect(await leases.seen())
        #expect(runs.withLock { $0 }.isEmpty, "not the owner: nothing ran")
        leases.owner.withLock { $0 = true }
        #expect(await TestServer.eventually(within: .seconds(120)) { runs.withLock { $0 } == [0] })
        leases.owner.withLock { $0 = false }
        #expect(await leases.seen())
        leases.owner.withLock { $0 = true }
        #expect(await TestServer.eventually(within: .seconds(120)) { runs.withLock { $0 } == [0, 0] }, "taken back: run at once, counted anew")
        #expect(await leases.seen())
        #expect(runs.withLock { $0 } == [0, 0], "and not again before its interval")
    }
}
