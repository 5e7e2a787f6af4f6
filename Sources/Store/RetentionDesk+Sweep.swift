import Foundation
import GRDB

extension RetentionDesk {
    public struct SweepReport: Sendable, Equatable, Encodable {
        public var recordings = 0
        public var transcripts = 0
        public var sessions = 0
        public var conversations = 0
        /// Past their period but kept because a hold covers them.
        public var heldRecordings = 0
        public var heldTranscripts = 0
        public var dryRun = false

        public init(dryRun: Bool = false) { self.dryRun = dryRun }

        /// For the audit trail.
        package var counts: [String: Int] {
            [
                "recordings": recordings, "transcripts": transcripts, "sessions": sessions, "conversations": conversations,
                "held_recordings": heldRecordings, "held_transcripts": heldTranscripts,
            ]
        }
    }

    /// Applies the policy at `now`: recordings past the audio period, turns past the
    /// transcript period and ended sessions past the session period go, unless held; orders
    /// stay and simply lose their link. Each device class is judged by its own periods.
    public func sweep(policy: RetentionPolicy, now: Date = Date(), actor: String = "system", dryRun: Bool = false) throws -> SweepReport {
        let day: TimeInterval = 86_400
        let classes = (policy.deviceClasses ?? [:]).keys.sorted()
        /// `createdAt` older than the period of its row's device class.
        typealias Periods = (audio: Double, transcript: Double, session: Double)
        func expired(_ period: (Periods) -> Double, column: SQL, classColumn: SQL) -> SQL {
            var conditions: [SQL] = classes.map { name in
                "(\(classColumn) = \(name) AND \(column) < \(now.addingTimeInterval(-period(policy.periods(for: name)) * day)))"
            }
            let others: SQL = classes.isEmpty ? "1" : "(\(classColumn) IS NULL OR \(classColumn) NOT IN \(classes))"
            conditions.append("(\(others) AND \(column) < \(now.addingTimeInterval(-period(policy.periods(for: nil)) * day)))")
            return "(\(conditions.joined(separator: " OR ")))"
        }
        let deleted = try deleteUnheld(
            recordings: expired({ $0.audio }, column: "createdAt", classColumn: "deviceClass"),
            turns: expired({ $0.transcript }, column: "createdAt", classColumn: "deviceClass"), dryRun: dryRun)
        var report = SweepReport(dryRun: dryRun)
        report.recordings = deleted.recordings
        report.transcripts = deleted.turns
        report.heldRecordings = deleted.heldRecordings
        report.heldTranscripts = deleted.heldTurns

        // Session metadata: ended sessions past their period, with nothing held or left in them.
        let sessionClass: SQL = "(SELECT deviceClass FROM device WHERE device.id = session.deviceId)"
        let sessionsGoing: SQL = """
            endedAt IS NOT NULL AND (\(expired({ $0.session }, column: "endedAt", classColumn: sessionClass)))
            AND id NOT IN (SELECT subjectId FROM legalHold WHERE scope = 'session' AND releasedAt IS NULL)
            AND deviceId NOT IN (SELECT device.id FROM device JOIN legalHold ON legalHold.subjectId = device.customerId
                                 WHERE legalHold.scope = 'customer' AND legalHold.releasedAt IS NULL)
            AND NOT EXISTS (SELECT 1 FROM turn WHERE turn.sessionId = session.id)
            AND NOT EXISTS (SELECT 1 FROM recording WHERE recording.sessionId = session.id)
            """
        let conversationCutoff = now.addingTimeInterval(-policy.periods(for: nil).session * day)
        let conversationsGoing: SQL = """
            updatedAt < \(conversationCutoff)
            AND NOT EXISTS (SELECT 1 FROM turn WHERE turn.conversationId = conversation.id)
            AND NOT EXISTS (SELECT 1 FROM session WHERE session.conversationId = conversation.id)
            AND customerId NOT IN (SELECT subjectId FROM legalHold WHERE scope = 'customer' AND releasedAt IS NULL)
            """
        try database.writer.write { db in
            report.sessions = try SQLRequest<Int>(literal: "SELECT COUNT(*) FROM session WHERE \(sessionsGoing)").fetchOne(db) ?? 0
            if !dryRun { try db.execute(literal: "DELETE FROM session WHERE \(sessionsGoing)") }
            report.conversations = try SQLRequest<Int>(literal: "SELECT COUNT(*) FROM conversation WHERE \(conversationsGoing)").fetchOne(db) ?? 0
            if !dryRun { try db.execute(literal: "DELETE FROM conversation WHERE \(conversationsGoing)") }
        }
        guard !dryRun else { return report }
        try audit.append(actor: actor, action: "sweep", subject: "policy:\(policy.digest)", reason: "retention policy", counts: report.counts)
        try truncateWAL()
        return report
    }

    /// Records a policy in the audit trail when it differs from the last one recorded.
    /// Returns whether it was new.
    @discardableResult
    public func notePolicy(_ policy: RetentionPolicy, source: String, actor: String) throws -> Bool {
        let subject = "policy:\(policy.digest)"
        let last = try database.writer.read { db in
            try AuditEntry.filter(AuditEntry.Columns.action == "policy_change").order(AuditEntry.Columns.sequence.desc).fetchOne(db)
        }
        guard last?.subject != subject else { return false }
        try audit.append(actor: actor, action: "policy_change", subject: subject, reason: policy.auditReason(source: source))
        return true
    }
}
