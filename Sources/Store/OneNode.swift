

/// The leases of a node that is the only one: it owns every one.
public struct OneNode: Leases {
    public init() {}

    public func owns(_ name: String) async throws -> Bool { true }
    public var actorName: String { "system" }
}
