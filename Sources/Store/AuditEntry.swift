import Crypto
import Foundation

/// One audit entry: who did what, when, why and to how much — never content.
public struct AuditEntry: Codable, Sendable, Equatable {
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
