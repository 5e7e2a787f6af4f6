import Foundation
import GRDB
import PostgresStore
import Store
import TalkshopTesting
import Testing

/// The audit trail on both backends, the same tests: appends chain, an edited entry is found,
/// and nodes appending at once keep one chain.
struct AuditTrailTests {
    /// Two trails on one new, empty database (two nodes on PostgreSQL), and a way to change an
    /// entry's reason behind the trail's back.
    struct Nodes: Sendable {
        var first: any AuditStorage
        var second: any AuditStorage
        var editReason: @Sendable (_ sequence: Int64, _ reason: String) async throws -> Void
    }

    static func withNodes(_ backend: Backend, _ body: (Nodes) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-audit-\(UUID())")
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("talkshop.sqlite")
            // SQLite is one node's database: the "nodes" are two trails on its one connection pool.
            let one = try AppDatabase.open(at: file)
            try await body(Nodes(first: SQLiteAuditStorage(database: one, headFile: nil), second: SQLiteAuditStorage(database: one, headFile: nil)) { sequence, reason in
                try await one.writer.write { db in
                    try db.execute(sql: #"UPDATE "auditEntry" SET "reason" = ? WHERE "sequence" = ?"#, arguments: [reason, sequence])
                }
            })
        case .postgres:
            try await PostgresMigratorTests.withDatabase { location in
                try await PostgresMigrator(location: location).migrate()
                let connections = PostgresConnections(location: location)
                try await body(Nodes(first: PostgresAuditStorage(database: connections), second: PostgresAuditStorage(database: connections)) { sequence, reason in
                    try await TestPostgres.execute(
                        #"UPDATE "auditEntry" SET "reason" = '\#(reason)' WHERE "sequence" = \#(sequence)"#, on: location)
                })
            }
        }
    }

    @Test(arguments: Backend.available)
    func appendsChainAndAnEditedEntryIsFound(_ backend: Backend) async throws {
        try await Self.withNodes(backend) { nodes in
            try await nodes.first.append(actor: "olga", action: "hold", subject: "customer:c1", reason: "case 1", counts: [:], at: Date())
            try await nodes.first.append(actor: "olga", action: "purge", subject: "session:s1", reason: "request 7", counts: ["recordings": 3], at: Date())
            let last = try await nodes.first.append(actor: "system", action: "sweep", subject: "before:2026-01-01", reason: "policy", counts: [:], at: Date())
            #expect(try await nodes.first.verify(expectedHead: nil) == .intact(entries: 3, head: last.hash))
            #expect(try await nodes.second.entries().map(\.action) == ["hold", "purge", "sweep"], "every node reads the same trail")

            try await nodes.editReason(2, "nothing to see")
            #expect(try await nodes.first.verify(expectedHead: nil) == .broken(at: 2, reason: "its content was changed"))
        }
    }

    @Test(arguments: Backend.available)
    func nodesAppendingAtOnceKeepOneChain(_ backend: Backend) async throws {
        try await Self.withNodes(backend) { nodes in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<20 {
                    let node = index.isMultiple(of: 2) ? nodes.first : nodes.second
                    group.addTask { try await node.append(actor: "node", action: "export", subject: "customer:c\(index)", reason: "r", counts: [:], at: Date()) }
                }
                try await group.waitForAll()
            }
            let entries = try await nodes.second.entries()
            #expect(entries.map(\.sequence) == Array(1...20))
            guard case .intact(20, _) = try await nodes.first.verify(expectedHead: nil) else {
                Issue.record("the chain forked or broke")
                return
            }
        }
    }
}
