/// A store that did not answer in time, or that a node knows it cannot reach now: the caller
/// says so ("the shop cannot take the order right now") instead of waiting, and changes nothing.
public struct StoreUnavailable: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Whether a node can reach its stores, for `/readyz` (the load balancer sends customers only
/// to nodes that are ready). The SQLite file is always there (`LocalStoresReady`); a shared
/// database is probed (`PostgresReachability`).
public protocol StoreReadiness: Sendable {
    /// The last known state, at once.
    var isReady: Bool { get }
    /// Asks the stores now, within the store deadline, and remembers the answer.
    func probe() async -> Bool
}

/// The stores of one node on its own SQLite file: ready whenever the process is.
public struct LocalStoresReady: StoreReadiness {
    public init() {}
    public var isReady: Bool { true }
    public func probe() async -> Bool { true }
}
