import Foundation
import GRDB

/// What a compliance officer does to stored transcripts: place and release legal holds, and
/// purge by customer, session or date — a dry run first if wanted. A purge deletes the rows
/// with secure deletion on, then checkpoints and truncates the WAL, so the words are gone from
/// the database file and the WAL; it fails loudly if the checkpoint cannot complete. Every
/// hold, release and purge is written to the audit trail (counts, never content).
public struct RetentionDesk: Sendable {
    public let database: AppDatabase
    public let audit: AuditLog

    public init(database: AppDatabase, audit: AuditLog) {
        self.database = database
        self.audit = audit
    }

    public enum Selection: Sendable, Equatable, CustomStringConvertible {
        case customer(String)
        case session(String)
        /// Everything recorded before this moment.
        case before(Date)

        public var description: String {
            switch self {
            case .customer(let id): "customer:\(id)"
            case .session(let id): "session:\(id)"
            case .before(let date): "before:\(ISO8601DateFormatter().string(from: date))"
            }
        }
    }

    public struct Report: Sendable, Equatable {
        /// Transcribed turns purged (or, in a dry run, that would be).
        public var turns = 0
        /// Turns left alone because a hold covers them.
        public var heldTurns = 0
        public var dryRun = false
    }

    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Purges the selected turns not under an active hold. A purge of a held customer or
    /// session is refused outright and changes nothing.
    public func purge(_ selection: Selection, reason: String, officer: String, dryRun: Bool = false) throws -> Report {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw Refusal(description: "a purge needs a reason") }
        var report = try database.writer.write { db -> Report in
            switch selection {
            case .customer(let id):
                if let hold = try activeHold(.customer, id, db) { throw Refusal(description: "customer \(id) is under legal hold \(hold.id): \(hold.reason)") }
            case .session(let id):
                if let hold = try activeHold(.session, id, db) { throw Refusal(description: "session \(id) is under legal hold \(hold.id): \(hold.reason)") }
            case .before: break
            }
            let (condition, arguments) = Self.filter(selection)
            let held = """
                (turn.sessionId IN (SELECT subjectId FROM legalHold WHERE scope = 'session' AND releasedAt IS NULL)
                 OR conversation.customerId IN (SELECT subjectId FROM legalHold WHERE scope = 'customer' AND releasedAt IS NULL))
                """
            let from = "FROM turn JOIN conversation ON conversation.id = turn.conversationId WHERE \(condition)"
            var report = Report(dryRun: dryRun)
            report.heldTurns = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(from) AND \(held)", arguments: arguments) ?? 0
            report.turns = try Int.fetchOne(db, sql: "SELECT COUNT(*) \(from) AND NOT \(held)", arguments: arguments) ?? 0
            if !dryRun {
                try db.execute(sql: "DELETE FROM turn WHERE id IN (SELECT turn.id \(from) AND NOT \(held))", arguments: arguments)
            }
            return report
        }
        guard !dryRun else { return report }
        try audit.append(actor: officer, action: "purge", subject: selection.description, reason: reason,
                         counts: ["turns": report.turns, "held_turns": report.heldTurns])
        try truncateWAL()
        report.dryRun = false
        return report
    }

    @discardableResult
    public func hold(_ scope: LegalHold.Scope, _ subjectId: String, reason: String, officer: String) throws -> LegalHold {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw Refusal(description: "a hold needs a reason") }
        let hold = LegalHold(
            id: "hold_" + UUID().uuidString.lowercased().prefix(8), scope: scope, subjectId: subjectId, reason: reason, placedBy: officer,
            placedAt: Date(), releasedBy: nil, releasedAt: nil)
        try database.writer.write { db in try hold.insert(db) }
        try audit.append(actor: officer, action: "hold", subject: "\(scope.rawValue):\(subjectId)", reason: reason)
        return hold
    }

    @discardableResult
    public func release(holdId: String, reason: String, officer: String) throws -> LegalHold {
        let released = try database.writer.write { db -> LegalHold in
            guard var hold = try LegalHold.fetchOne(db, key: holdId) else { throw Refusal(description: "no hold \(holdId)") }
            guard hold.isActive else { throw Refusal(description: "hold \(holdId) was already released") }
            hold.releasedAt = Date()
            hold.releasedBy = officer
            try hold.update(db)
            return hold
        }
        try audit.append(actor: officer, action: "release", subject: "\(released.scope.rawValue):\(released.subjectId)", reason: reason)
        return released
    }

    public func holds(activeOnly: Bool = true) throws -> [LegalHold] {
        try database.writer.read { db in
            var request = LegalHold.order(Column("placedAt"))
            if activeOnly { request = request.filter(Column("releasedAt") == nil) }
            return try request.fetchAll(db)
        }
    }

    private func activeHold(_ scope: LegalHold.Scope, _ id: String, _ db: Database) throws -> LegalHold? {
        try LegalHold.filter(Column("scope") == scope.rawValue && Column("subjectId") == id && Column("releasedAt") == nil).fetchOne(db)
    }

    private static func filter(_ selection: Selection) -> (String, StatementArguments) {
        switch selection {
        case .customer(let id): ("conversation.customerId = ?", [id])
        case .session(let id): ("turn.sessionId = ?", [id])
        case .before(let date): ("turn.createdAt < ?", [date])
        }
    }

    /// Copies the WAL into the database file and truncates it to zero bytes; throws if a
    /// reader kept it from completing (the purged words could otherwise linger in the WAL).
    func truncateWAL() throws {
        do {
            try database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw Refusal(description: "the purge was committed but the WAL could not be truncated (\(error)); run it again when the server is idle")
        }
    }
}
