import Foundation
import PostgresNIO
import Store

extension PostgresRetentionDesk {
    /// Applies the policy at `now`, as `RetentionDesk.sweep` does: recordings past the audio
    /// period, turns past the transcript period and ended sessions past the session period go,
    /// unless held, each device class judged by its own periods. Run by one node at a time
    /// (the server holds the lease "retention sweep" while it sweeps).
    public func sweep(policy: RetentionPolicy, now: Date = Date(), actor: String = "system", dryRun: Bool = false) async throws
        -> RetentionDesk.SweepReport
    {
        let day: TimeInterval = 86_400
        let classes = (policy.deviceClasses ?? [:]).keys.sorted()
        var report = RetentionDesk.SweepReport(dryRun: dryRun)
        for name in classes.map(Optional.some) + [nil] {
            let periods = policy.periods(for: name)
            func cutoff(_ days: Double) -> Date { now.addingTimeInterval(-days * day) }
            // One pass, as on SQLite, so a dry run counts a recording once: $2 is the
            // transcripts' cutoff, $3 the recordings'.
            let ofClass = Self.isOfClass(#""deviceClass""#, name)
            let deleted = try await deleteUnheld(
                recordings: "\(ofClass) AND \"createdAt\" < $3", turns: "\(ofClass) AND \"createdAt\" < $2",
                RowValues(id: name ?? "", from: cutoff(periods.transcript), to: cutoff(periods.audio), names: classes), dryRun: dryRun)
            report.recordings += deleted.recordings
            report.heldRecordings += deleted.heldRecordings
            report.transcripts += deleted.turns
            report.heldTranscripts += deleted.heldTurns

            // Session metadata: ended sessions past their period, with nothing held or left in them.
            let sessionClass = #"(SELECT "deviceClass" FROM "device" WHERE "device"."id" = "session"."deviceId")"#
            report.sessions += try await removeRows(
                from: "session",
                where: #"""
                    "endedAt" IS NOT NULL AND "endedAt" < $3 AND \#(Self.isOfClass(sessionClass, name))
                    AND "id" NOT IN (SELECT "subjectId" FROM "legalHold" WHERE "scope" = 'session' AND "releasedAt" IS NULL)
                    AND "deviceId" NOT IN (SELECT d."id" FROM "device" d JOIN "legalHold" h ON h."subjectId" = d."customerId"
                                           WHERE h."scope" = 'customer' AND h."releasedAt" IS NULL)
                    AND NOT EXISTS (SELECT 1 FROM "turn" WHERE "turn"."sessionId" = "session"."id")
                    AND NOT EXISTS (SELECT 1 FROM "recording" WHERE "recording"."sessionId" = "session"."id")
                    """#, RowValues(id: name ?? "", to: cutoff(periods.session), names: classes), dryRun: dryRun)
        }
        report.conversations = try await removeRows(
            from: "conversation",
            where: #"""
                "updatedAt" < $3
                AND NOT EXISTS (SELECT 1 FROM "turn" WHERE "turn"."conversationId" = "conversation"."id")
                AND NOT EXISTS (SELECT 1 FROM "session" WHERE "session"."conversationId" = "conversation"."id")
                AND "customerId" NOT IN (SELECT "subjectId" FROM "legalHold" WHERE "scope" = 'customer' AND "releasedAt" IS NULL)
                """#, RowValues(to: now.addingTimeInterval(-policy.periods(for: nil).session * day)), dryRun: dryRun)
        guard !dryRun else { return report }
        try await audit.append(actor: actor, action: "sweep", subject: "policy:\(policy.digest)", reason: "retention policy", counts: report.counts)
        return report
    }

    /// Records a policy in the audit trail when it differs from the last one recorded.
    /// Returns whether it was new.
    @discardableResult
    public func notePolicy(_ policy: RetentionPolicy, source: String, actor: String) async throws -> Bool {
        let subject = "policy:\(policy.digest)"
        let last = try await database.withConnection { connection, logger in
            var subject: String?
            let rows = try await connection.query(
                #"SELECT "subject" FROM "auditEntry" WHERE "action" = 'policy_change' ORDER BY "sequence" DESC LIMIT 1"#, logger: logger)
            for try await found in rows.decode(String.self) { subject = found }
            return subject
        }
        guard last != subject else { return false }
        try await audit.append(actor: actor, action: "policy_change", subject: subject, reason: policy.auditReason(source: source))
        return true
    }

    /// A condition on a row's device class (`column`): `name` ($1), or for nil any class
    /// without periods of its own ($4 lists those that have them).
    static func isOfClass(_ column: String, _ name: String?) -> String {
        name == nil ? "(\(column) IS NULL OR \(column) <> ALL($4))" : "\(column) = $1"
    }

    /// Deletes (or, in a dry run, counts) the rows of `table` the condition selects.
    private func removeRows(from table: String, where condition: String, _ values: RowValues, dryRun: Bool) async throws -> Int {
        let sql = dryRun ? #"SELECT 1 FROM "\#(table)" WHERE \#(condition)"# : #"DELETE FROM "\#(table)" WHERE \#(condition) RETURNING 1"#
        return try await database.withConnection { connection, logger in
            try await connection.query(try values.query(sql), logger: logger).collect().count
        }
    }
}
