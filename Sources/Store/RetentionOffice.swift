import Foundation

/// What a compliance officer and the sweeper do to stored turns and recordings, whichever
/// store keeps them: `RetentionDesk` (one node's SQLite file and data directory) or
/// `PostgresRetentionDesk` (the shared database). Both follow the same rules; the types they
/// share (`RetentionDesk.Selection`, `.Report`, `.Refusal`, `.SweepReport`) are the desk's.
public protocol RetentionOffice: Sendable {
    var auditTrail: any AuditTrail { get }
    func holds(activeOnly: Bool) async throws -> [LegalHold]
    /// Erasure requests waiting for a hold's release.
    func pendingErasures() async throws -> [ErasureRequest]
    @discardableResult
    func hold(_ scope: LegalHold.Scope, _ subjectId: String, reason: String, officer: String) async throws -> LegalHold
    @discardableResult
    func release(holdId: String, reason: String, officer: String) async throws -> (hold: LegalHold, erasures: [RetentionDesk.Report])
    func purge(
        _ selection: RetentionDesk.Selection, reason: String, officer: String, reference: String?, dryRun: Bool
    ) async throws -> RetentionDesk.Report
    func sweep(policy: RetentionPolicy, now: Date, actor: String, dryRun: Bool) async throws -> RetentionDesk.SweepReport
    @discardableResult
    func notePolicy(_ policy: RetentionPolicy, source: String, actor: String) async throws -> Bool
    func export(customerId: String, reason: String, officer: String) async throws -> (manifest: CustomerExport, audio: [String: Data])
}

extension RetentionDesk: RetentionOffice {
    public var auditTrail: any AuditTrail { audit }
}
