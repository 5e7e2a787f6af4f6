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
