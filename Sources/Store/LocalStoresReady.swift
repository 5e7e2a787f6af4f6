

/// The stores of one node on its own SQLite file: ready whenever the process is.
public struct LocalStoresReady: StoreReadiness {
    public init() {}
    public var isReady: Bool { true }
    public func probe() async -> Bool { true }
}
