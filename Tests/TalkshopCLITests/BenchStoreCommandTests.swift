import Foundation
import TalkshopTesting
import Testing

/// `talkshop bench store` against the test script's PostgreSQL: it writes turns and orders
/// through the real stores and prints what it did; the rows are there afterwards.
struct BenchStoreCommandTests {
    let talkshop = ExternalTool(executable: TestPaths.talkshopBinary)

    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func itWritesTurnsAndOrdersAndSaysHowMany() async throws {
        try await TestPostgres.withDatabase { url, _ in
            let run = try talkshop.run(["bench", "store", "--database", url, "--writers", "2", "--duration", "2s", "--order-every", "2"])
            #expect(run.status == 0, "\(run.standardError)")
            let turns = run.standardOutput.split(separator: "\n").first { $0.hasPrefix("turns: ") }
            let orders = run.standardOutput.split(separator: "\n").first { $0.hasPrefix("orders: ") }
            let turnCount = turns.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            let orderCount = orders.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
            #expect(turnCount > 0 && orderCount > 0 && orderCount <= turnCount / 2, "\(run.standardOutput)")
            let listed = try talkshop.run(["orders", "list", "--database", url, "--limit", "100000"])
            #expect(listed.standardOutput.split(separator: "\n").filter { $0.contains(" paid ") }.count == orderCount, "\(listed.standardOutput.prefix(500))")
        }
    }

    @Test func itNeedsAPostgreSQLDatabase() throws {
        let run = try talkshop.run(["bench", "store", "--duration", "1s"])
        #expect(run.status != 0 && run.standardError.contains("--database postgres://"), "\(run.standardError)")
    }
}
