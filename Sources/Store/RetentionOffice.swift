import Foundation

/// What a compliance officer and the sweeper do to stored transcripts and recordings —
/// place and release legal holds, purge by session or date, erase a customer, export what
/// is held — written once over any backend (`RetentionStorage`). A hold blocks a purge and
/// defers an erasure until its release; every step is written to the audit trail (counts,
/// never content); a dry run changes and audits nothing. After a committed deletion the
/// storage is compacted, so the words are gone from the files as well as from the tables.
public struct RetentionOffice: Sendable {
    public let storage: any RetentionStorage
    public let auditTrail: any AuditStorage
    /// The clock: when holds are placed and released and erasures requested and done.
    public var now: @Sendable () -> Date = { Date() }

    public init(storage: any RetentionStorage, auditTrail: any AuditStorage) {
        self.storage = storage
        self.auditTrail = auditTrail
    }

    // MARK: - Holds

    public func holds(activeOnly: Bool = true) async throws -> [LegalHold] {
        try await storage.holds(activeOnly: activeOnly)
    }

    /// Erasure requests waiting for a hold's release.
    public func pendingErasures() async throws -> [ErasureRequest] {
        try await storage.pendingErasures()
    }

    /// Active holds on the customer, on any of their sessions or on any of their orders.
    public func holdsCovering(customerId: String) async throws -> [LegalHold] {
        try await storage.holdsCovering(customerId: customerId)
    }

    @discardableResult
    public func hold(_ scope: LegalHold.Scope, _ subjectId: String, reason: String, officer: String) async throws -> LegalHold {
        try Self.checkRequest(reason: reason, for: "a hold", ["subject": subjectId, "officer": officer])
        try await checkExists(scope, subjectId)
        let hold = LegalHold(id: LegalHold.newId(), scope: scope, subjectId: subjectId, reason: reason, placedBy: officer, placedAt: now())
        try await storage.insert(hold)
        try await audit(officer, "hold", subject: "\(scope.rawValue):\(subjectId)", reason: reason)
        return hold
    }

    /// Releases a hold, then carries out the erasure requests it was the last obstacle to.
    /// Nothing's expiry changed while held: what is past its period goes at the next sweep.
    @discardableResult
    public func release(holdId: String, reason: String, officer: String) async throws -> (hold: LegalHold, erasures: [Report]) {
        try Self.checkRequest(reason: reason, for: "a release", ["hold": holdId, "officer": officer])
        let released: LegalHold
        switch try await storage.release(holdId: holdId, by: officer, at: now()) {
        case .released(let hold): released = hold
        case .alreadyReleased: throw Refusal(description: "hold \(holdId) was already released")
        case .notFound: throw Refusal(description: "no hold \(holdId)", kind: .notFound)
        }
        try await audit(officer, "release", subject: "\(released.scope.rawValue):\(released.subjectId)", reason: reason)
        var erasures: [Report] = []
        for request in try await storage.pendingErasures() where try await storage.holdsCovering(customerId: request.customerId).isEmpty {
            erasures.append(try await carryOut(request, officer: officer))
        }
        return (released, erasures)
    }

    // MARK: - Purge and erasure

    /// Purges the selection's turns and recordings not under an active hold. A purge of a
    /// held session is refused and changes nothing; an erasure of a held customer is
    /// recorded and deferred until release.
    public func purge(
        _ selection: Selection, reason: String, officer: String, reference: String? = nil, dryRun: Bool = false
    ) async throws -> Report {
        try Self.checkRequest(reason: reason, for: "a purge", ["subject": selection.description, "reference": reference])
        let rows: RetainedRows
        switch selection {
        case .customer(let id):
            try await checkExists(.customer, id)
            return try await erase(customerId: id, reason: reason, reference: reference ?? reason, officer: officer, dryRun: dryRun)
        case .session(let id):
            try await checkExists(.session, id)
            if let hold = try await storage.holdCovering(sessionId: id) {
                throw Refusal(description: "session \(id) is under legal hold \(hold.id): \(hold.reason)", kind: .held)
            }
            rows = .session(id)
        case .dates(let from, let to):
            if let from, from >= to {
                throw Refusal(description: "the date range is empty: \(Selection.format(from)) is not before \(Selection.format(to))")
            }
            rows = .recorded(from: from, to: to)
        }
        let report = Report(try await storage.deleteUnheld(rows, dryRun: dryRun), dryRun: dryRun)
        guard !dryRun else { return report }
        try await audit(officer, "purge", subject: selection.description, reason: reason, counts: report.counts)
        try await storage.compact()
        return report
    }

    private func erase(customerId: String, reason: String, reference: String, officer: String, dryRun: Bool) async throws -> Report {
        let holds = try await storage.holdsCovering(customerId: customerId)
        guard holds.isEmpty || dryRun else { return try await deferErasure(customerId, holds, reason: reason, reference: reference, officer: officer) }
        let request = ErasureRequest.new(customerId: customerId, reference: reference, reason: reason, officer: officer, at: now())
        guard dryRun else {
            try await storage.insert(request)
            return try await carryOut(request, officer: officer)
        }
        var report = Report(try await storage.deleteUnheld(.customer(customerId), dryRun: true), dryRun: true)
        report.blockingHolds = holds.map(\.id)
        if holds.isEmpty { report.keyDestroyed = try await storage.hasKey(customerId: customerId) }
        return report
    }

    /// An erasure a hold blocks: recorded, to be carried out when the last hold is released.
    private func deferErasure(_ customerId: String, _ holds: [LegalHold], reason: String, reference: String, officer: String) async throws -> Report {
        let request = ErasureRequest.new(customerId: customerId, reference: reference, reason: reason, officer: officer, at: now())
        var report = Report(try await storage.deleteUnheld(.customer(customerId), dryRun: true), dryRun: false)
        report.blockingHolds = holds.map(\.id)
        try await storage.insert(request)
        report.deferred = request
        try await audit(
            officer, "erasure_deferred", subject: "customer:\(customerId)", reason: "\(reason) [ref \(reference)]", counts: ["holds": holds.count])
        return report
    }

    /// Deletes everything the customer said (turns, recordings, conversations), destroys
    /// their key, and marks the request done.
    private func carryOut(_ request: ErasureRequest, officer: String) async throws -> Report {
        let erased = try await storage.carryOut(request, at: now())
        var report = Report()
        report.turns = erased.turns
        report.recordings = erased.recordings
        report.keyDestroyed = erased.keyDestroyed
        var counts = report.counts
        counts["keys_destroyed"] = erased.keyDestroyed ? 1 : 0
        try await audit(
            officer, "erasure", subject: "customer:\(request.customerId)", reason: "\(request.reason) [ref \(request.reference)]", counts: counts)
        if let unfinished = erased.unfinished { throw Refusal(description: unfinished, kind: .incomplete) }
        try await storage.compact()
        return report
    }

    // MARK: - Checks and the trail

    /// An unknown id is a mistake to report, not an empty purge or a hold on nothing.
    private func checkExists(_ scope: LegalHold.Scope, _ id: String) async throws {
        guard try await storage.exists(scope, id) else { throw Refusal(description: "no \(scope.rawValue) \(id)", kind: .notFound) }
    }

    func audit(_ actor: String, _ action: String, subject: String, reason: String, counts: [String: Int] = [:]) async throws {
        try await auditTrail.append(actor: actor, action: action, subject: subject, reason: reason, counts: counts, at: now())
    }
}
