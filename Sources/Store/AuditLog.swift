import Crypto
import Foundation
import GRDB

/// One audit entry: who did what, when, why and to how much — never content.
public struct AuditEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public var sequence: Int64
    public var at: Date
    /// Who: an officer's or staff member's name, or "system" for scheduled work.
    public var actor: String
    /// purge, hold, release, export, policy_change, sweep, …
    public var action: String
    /// What it concerned, e.g. "customer:c1" or "before:2026-01-01".
    public var subject: String
    public var reason: String
    /// Counts of what was affected, e.g. {"recordings": 12}, as sorted JSON.
    public var countsJSON: String
    public var previousHash: String
    public var hash: String

    public init(
        sequence: Int64, at: Date, actor: String, action: String, subject: String, reason: String, countsJSON: String,
        previousHash: String, hash: String
    ) {
        self.sequence = sequence
        self.at = at
        self.actor = actor
        self.action = action
        self.subject = subject
        self.reason = reason
        self.countsJSON = countsJSON
        self.previousHash = previousHash
        self.hash = hash
    }
}

/// Where audit entries are kept: the SQLite database (`AuditLog`) or PostgreSQL
/// (`PostgresAuditTrail`). Both chain their entries the same way (`AuditChain`).
public protocol AuditTrail: Sendable {
    @discardableResult
    func append(actor: String, action: String, subject: String, reason: String, counts: [String: Int], at now: Date) async throws -> AuditEntry
    func entries() async throws -> [AuditEntry]
    func verify(expectedHead: String?) async throws -> AuditChain.Verdict
}

/// The chain itself, whatever keeps it: each entry carries the SHA-256 of its fields and of
/// the entry before, so editing, deleting or reordering any entry is detected.
public enum AuditChain {
    public static let genesis = String(repeating: "0", count: 64)

    public enum Verdict: Equatable, Sendable {
        case intact(entries: Int, head: String)
        /// The first entry (by position) where the chain breaks, and why.
        case broken(at: Int64, reason: String)
    }

    /// The entry that follows `last` (nil: the first), hashed.
    public static func entry(
        after last: AuditEntry?, actor: String, action: String, subject: String, reason: String, counts: [String: Int], at now: Date
    ) throws -> AuditEntry {
        // What is hashed must be what is stored: a NUL, cut or refused by the database, would
        // be a false tamper alarm for ever after.
        for (field, value) in [("actor", actor), ("action", action), ("subject", subject), ("reason", reason)] {
            try StoredText.check(value, field: field)
        }
        let countsJSON = String(decoding: try sortedEncoder.encode(counts), as: UTF8.self)
        var entry = AuditEntry(
            sequence: (last?.sequence ?? 0) + 1, at: millisecondPrecision(now), actor: actor, action: action, subject: subject,
            reason: reason, countsJSON: countsJSON, previousHash: last?.hash ?? genesis, hash: "")
        entry.hash = hash(of: entry)
        return entry
    }

    /// Recomputes the chain of `entries` (in sequence order); `expectedHead` (a hash recorded
    /// earlier) catches entries removed from the end.
    public static func verify(_ entries: [AuditEntry], expectedHead: String?) -> Verdict {
        var previous = genesis
        for (index, entry) in entries.enumerated() {
            let position = Int64(index + 1)
            guard entry.sequence == position else { return .broken(at: position, reason: "entry \(position) is missing or out of order") }
            guard entry.previousHash == previous else { return .broken(at: position, reason: "does not follow the entry before it") }
            guard hash(of: entry) == entry.hash else { return .broken(at: position, reason: "its content was changed") }
            previous = entry.hash
        }
        let head = entries.last?.hash ?? genesis
        // A recorded head that is not in the chain means entries were removed from the end.
        // (One found earlier in the chain only means the head file lagged behind a write.)
        if let expected = expectedHead, expected != genesis, !entries.contains(where: { $0.hash == expected }) {
            return .broken(at: Int64(entries.count + 1), reason: "the recorded head \(expected.prefix(12))… is not in the chain: entries were removed")
        }
        return .intact(entries: entries.count, head: head)
    }

    /// SHA-256 over the previous hash and every field, in a fixed order.
    static func hash(of entry: AuditEntry) -> String {
        let fields = [
            entry.previousHash, String(entry.sequence), String(Int64((entry.at.timeIntervalSince1970 * 1_000).rounded())), entry.actor,
            entry.action, entry.subject, entry.reason, entry.countsJSON,
        ]
        // Length-prefixed, so no field can borrow characters from its neighbour.
        let canonical = fields.map { "\($0.utf8.count):\($0)" }.joined(separator: "|")
        return SHA256.hash(data: Data(canonical.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1_000).rounded() / 1_000)
    }

    static let sortedEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}

/// The audit trail in the SQLite database: append-only, chained (`AuditChain`). Deleting the
/// newest entries leaves a valid shorter chain; the head (sequence and hash) is therefore also
/// kept in a file next to the database, and `verify` can be given a head recorded elsewhere.
public struct AuditLog: AuditTrail {
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

extension AuditEntry {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let action = Column(CodingKeys.action)
        static let sequence = Column(CodingKeys.sequence)
    }
}
