import Crypto
import Foundation
import GRDB

/// The audit trail in the SQLite database: append-only, chained (`AuditChain`). Deleting the
/// newest entries leaves a valid shorter chain; the head (sequence and hash) is therefore also
/// kept in a file next to the database, and `verify` can be given a head recorded elsewhere.
public struct SQLiteAuditStorage: AuditStorage {
    public let database: AppDatabase
    /// Where the head is written after each append (nil: not kept, e.g. in memory).
    public let headFile: URL?

    public static let genesis = AuditChain.genesis
    public typealias Verdict = AuditChain.Verdict

    /// Where a data directory keeps the head: `<data>/audit-head`.
    public static func headFile(in dataDirectory: URL) -> URL {
        dataDirectory.appendingPathComponent("audit-head")
    }

    public init(database: AppDatabase, headFile: URL?) {
        self.database = database
        self.headFile = headFile
    }

    @discardableResult
    public func append(
        actor: String, action: String, subject: String, reason: String, counts: [String: Int] = [:], at now: Date = Date()
    ) throws -> AuditEntry {
        let entry = try database.writer.write { db -> AuditEntry in
            let last = try AuditEntry.order(AuditEntry.Columns.sequence.desc).fetchOne(db)
            let entry = try AuditChain.entry(after: last, actor: actor, action: action, subject: subject, reason: reason, counts: counts, at: now)
            try entry.insert(db)
            return entry
        }
        if let headFile { try "\(entry.sequence) \(entry.hash)\n".write(to: headFile, atomically: true, encoding: .utf8) }
        return entry
    }

    public func entries() throws -> [AuditEntry] {
        try database.writer.read { db in try AuditEntry.order(AuditEntry.Columns.sequence).fetchAll(db) }
    }

    /// Recomputes the chain; `expectedHead` (a hash recorded earlier, or the head file's)
    /// catches entries removed from the end.
    public func verify(expectedHead: String? = nil) throws -> Verdict {
        AuditChain.verify(try entries(), expectedHead: try expectedHead ?? headFile.flatMap(Self.readHead))
    }

    /// The head recorded in `url`; nil when there is no head file yet. A head file that cannot be
    /// read is an error, not a verification without its check of the chain's end.
    static func readHead(_ url: URL) throws -> String? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }
}
