
/// Whether a node can reach its stores, for `/readyz` (the load balancer sends customers only
/// to nodes that are ready). The SQLite file is always there (`LocalStoresReady`); a shared
/// database is probed (`PostgresReachability`).
public protocol StoreReadiness: Sendable {
    /// The last known state, at once.
    var isReady: Bool { get }
    /// Asks the stores now, within the store deadline, and remembers the answer.
    func probe() async -> Bool
}
