import Crypto
import Foundation

/// Where audit entries are kept: the SQLite database (`SQLiteAuditStorage`) or PostgreSQL
/// (`PostgresAuditStorage`). Both chain their entries the same way (`AuditChain`).
public protocol AuditStorage: Sendable {
    @discardableResult
    func append(actor: String, action: String, subject: String, reason: String, counts: [String: Int], at now: Date) async throws -> AuditEntry
    func entries() async throws -> [AuditEntry]
    func verify(expectedHead: String?) async throws -> AuditChain.Verdict
}
