import Foundation

extension RetentionOffice {
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
    /// stay and simply lose their link. Each device class is judged by its own periods, in
    /// its own pass (a dry run counts a recording once: its turn is of the same class).
    /// Conversations left empty go after the default session period. On a cluster one node
    /// at a time sweeps (the server holds the lease "retention sweep" while it does).
    public func sweep(policy: RetentionPolicy, now: Date = Date(), actor: String = "system", dryRun: Bool = false) async throws -> SweepReport {
        let named = (policy.deviceClasses ?? [:]).keys.sorted()
        var report = SweepReport(dryRun: dryRun)
        for rows in named.map(DeviceClassRows.named) + [.others(except: named)] {
            let periods = policy.periods(for: rows.name)
            let deleted = try await storage.deleteUnheld(
                .expired(rows, transcriptsBefore: now.minus(days: periods.transcript), recordingsBefore: now.minus(days: periods.audio)),
                dryRun: dryRun)
            report.recordings += deleted.recordings
            report.heldRecordings += deleted.heldRecordings
            report.transcripts += deleted.turns
            report.heldTranscripts += deleted.heldTurns
            report.sessions += try await storage.deleteEndedSessions(rows, endedBefore: now.minus(days: periods.session), dryRun: dryRun)
        }
        report.conversations = try await storage.deleteIdleConversations(
            updatedBefore: now.minus(days: policy.periods(for: nil).session), dryRun: dryRun)
        guard !dryRun else { return report }
        // Stamped by the office's clock: `now` is the moment the periods are judged from.
        try await audit(actor, "sweep", subject: "policy:\(policy.digest)", reason: "retention policy", counts: report.counts)
        try await storage.compact()
        return report
    }

    /// Records a policy in the audit trail when it differs from the last one recorded.
    /// Returns whether it was new.
    @discardableResult
    public func notePolicy(_ policy: RetentionPolicy, source: String, actor: String) async throws -> Bool {
        let subject = "policy:\(policy.digest)"
        guard try await storage.lastPolicySubject() != subject else { return false }
        try await audit(actor, "policy_change", subject: subject, reason: policy.auditReason(source: source))
        return true
    }
}

extension DeviceClassRows {
    /// The class whose periods apply (nil: the policy's defaults).
    var name: String? {
        switch self {
        case .named(let name): name
        case .others: nil
        }
    }
}

extension Date {
    fileprivate func minus(days: Double) -> Date { addingTimeInterval(-days * 86_400) }
}
