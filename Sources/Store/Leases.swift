/// Runs a job on one node at a time: the retention sweep, the order pipeline's recovery.
/// One node on SQLite always may (`OneNode`); several on PostgreSQL take an advisory lock that
/// dies with the node holding it (`PostgresNode`).
public protocol Leases: Sendable {
    /// Runs `body` and returns its result if no node holds the lease `name`; nil, without
    /// running it, when another does.
    func withLease<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T?
}

/// The leases of a node that is the only one: every job runs.
public struct OneNode: Leases {
    public init() {}

    public func withLease<T: Sendable>(_ name: String, _ body: @Sendable () async throws -> T) async throws -> T? {
        try await body()
    }
}
