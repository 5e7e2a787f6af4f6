import Crypto
import Foundation

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
