import Foundation
import GRDB
import Store
import Testing

/// The audit chain detects any changed, removed or reordered entry.
struct AuditLogTests {
    /// A log of five entries in a fresh database file, with its head file.
    func filledLog() throws -> (SQLiteAuditStorage, URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-audit-\(UUID())")
        let database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
        let log = SQLiteAuditStorage(database: database, headFile: directory.appendingPathComponent("audit-head"))
        for index in 1...5 {
            try log.append(actor: "officer \(index)", action: "purge", subject: "customer:c\(index)", reason: "erasure request R-\(index)",
                           counts: ["recordings": index, "transcripts": 2 * index])
        }
        return (log, directory)
    }

    func tamper(_ log: SQLiteAuditStorage, _ sql: String) throws {
        try log.database.writer.write { db in try db.execute(sql: sql) }
    }

    @Test func anUntouchedChainVerifies() throws {
        let (log, directory) = try filledLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        guard case .intact(5, let head) = try log.verify() else {
            Issue.record("an untouched chain should verify")
            return
        }
        #expect(head == (try log.entries().last?.hash))
        #expect(try log.entries().first?.previousHash == SQLiteAuditStorage.genesis)
    }

    @Test func editingAnyFieldOfAnyEntryBreaksTheChain() throws {
        for edit in [
            "UPDATE auditEntry SET reason = 'nothing to see' WHERE sequence = 3",
            "UPDATE auditEntry SET countsJSON = '{\"recordings\":0}' WHERE sequence = 2",
            "UPDATE auditEntry SET actor = 'someone else' WHERE sequence = 5",
            "UPDATE auditEntry SET at = '2020-01-01 00:00:00.000' WHERE sequence = 1",
        ] {
            let (log, directory) = try filledLog()
            defer { try? FileManager.default.removeItem(at: directory) }
            try tamper(log, edit)
            guard case .broken = try log.verify() else {
                Issue.record("not detected: \(edit)")
                continue
            }
        }
    }

    @Test func deletingOrReorderingEntriesBreaksTheChain() throws {
        for change in [
            "DELETE FROM auditEntry WHERE sequence = 3",
            "DELETE FROM auditEntry WHERE sequence = 5",  // the newest: caught by the head file
            """
            UPDATE auditEntry SET sequence = -1 WHERE sequence = 2;
            UPDATE auditEntry SET sequence = 2 WHERE sequence = 3;
            UPDATE auditEntry SET sequence = 3 WHERE sequence = -1
            """,
        ] {
            let (log, directory) = try filledLog()
            defer { try? FileManager.default.removeItem(at: directory) }
            try tamper(log, change)
            guard case .broken(let position, let reason) = try log.verify() else {
                Issue.record("not detected: \(change)")
                continue
            }
            #expect(position >= 2, "\(reason)")
        }
    }

    @Test func aHeadRecordedElsewhereCatchesATruncatedChainWithoutTheHeadFile() throws {
        let (log, directory) = try filledLog()
        defer { try? FileManager.default.removeItem(at: directory) }
        let recorded = try #require(try log.entries().last?.hash)
        try tamper(log, "DELETE FROM auditEntry WHERE sequence >= 4")
        let withoutFile = SQLiteAuditStorage(database: log.database, headFile: nil)
        guard case .intact(3, _) = try withoutFile.verify() else {
            Issue.record("a shorter chain is consistent in itself")
            return
        }
        guard case .broken = try withoutFile.verify(expectedHead: recorded) else {
            Issue.record("the recorded head should expose the truncation")
            return
        }
    }
}

/// What the CLI prints of officer-typed text: no escape sequence reaches the terminal.
struct StoredTextTests {
    @Test func controlCharactersArePrintedEscaped() {
        #expect(StoredText.printable("ok\u{1b}]0;x\u{7}\u{1b}[2Jaudit trail intact") == "ok\\u{1b}]0;x\\u{7}\\u{1b}[2Jaudit trail intact")
        #expect(StoredText.printable("Zoë \u{202e}txt") == "Zoë \\u{202e}txt")
        #expect(StoredText.printable("plain — 東京") == "plain — 東京")
    }
}
