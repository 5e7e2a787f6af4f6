/// Who runs a job that one node at a time must run (the retention sweep, the order recovery).
/// One node on SQLite always does (`OneNode`); several on PostgreSQL each ask, and the first to
/// ask owns the lease for as long as it lives (`PostgresNode`: an advisory lock of its session,
/// which PostgreSQL ends with the node).
public protocol Leases: Sendable {
    /// Whether this node owns the lease `name`, taking it if no live node does. An owner keeps
    /// it until it stops or dies; asking again is how a node keeps checking that it still does.
    func owns(_ name: String) async throws -> Bool
    /// The name the node's scheduled work goes by in the audit trail: "system" alone, or
    /// "system (node 123)" among several, so an operator can tell which node swept.
    var actorName: String { get }
}

/// The names of the leases the server's jobs run under.
public enum LeaseName {
    public static let retentionSweep = "retention sweep"
    public static let orderRecovery = "order recovery"
    public static let all = [retentionSweep, orderRecovery]
}

/// The leases of a node that is the only one: it owns every one.
public struct OneNode: Leases {
    public init() {}

    public func owns(_ name: String) async throws -> Bool { true }
    public var actorName: String { "system" }
}
