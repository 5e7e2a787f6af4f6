import Foundation
import GRDB

/// A token for the admin API, held by a person in a role. Only its SHA-256 hash is stored.
public struct StaffToken: Codable, Sendable, Equatable {
    public enum Role: String, Codable, Sendable, CaseIterable {
        /// Compliance officer: holds, releases, purges, erasure, sweeps, exports, audit.
        case officer
        /// Operator: may read the audit trail's state and the holds; changes nothing.
        case `operator`
        /// A shop's web back end: may start web sessions (`POST /v1/web/session`) for the
        /// customers it has signed in; nothing in the admin API.
        case backend
    }

    public var id: String
    public var name: String
    public var role: Role
    public var tokenHash: String
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, name: String, role: Role, tokenHash: String, createdAt: Date, revokedAt: Date?) {
        self.id = id
        self.name = name
        self.role = role
        self.tokenHash = tokenHash
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }

    /// A new token for a person, not yet stored (the token is shown once and never stored).
    public static func issue(name: String, role: Role, at now: Date = Date()) throws -> (staff: StaffToken, token: String) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw RetentionOffice.Refusal(description: "a staff token needs a name") }
        // The name is the actor of every audit entry the person's actions write.
        if let scalar = StoredText.refusedScalar(in: name) {
            throw RetentionOffice.Refusal(description: StoredText.Invalid(field: "name", scalar: scalar).description)
        }
        let token = "tss_" + SQLiteDeviceStorage.newToken().dropFirst("tsk_".count)
        let staff = StaffToken(id: UUID().uuidString.lowercased(), name: name, role: role, tokenHash: SQLiteDeviceStorage.hash(token), createdAt: now, revokedAt: nil)
        return (staff, token)
    }
}
