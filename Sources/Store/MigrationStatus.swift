import Foundation

/// The schema's migrations, in order, and which a database file has applied.
public struct MigrationStatus: Sendable, Equatable {
    public var applied: [String]
    public var pending: [String]
    /// The file holds migrations this version does not know (written by a newer Talkshop).
    public var unknown: [String]

    public init(applied: [String], pending: [String], unknown: [String]) {
        self.applied = applied
        self.pending = pending
        self.unknown = unknown
    }
}
