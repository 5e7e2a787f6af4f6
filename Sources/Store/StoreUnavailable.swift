

/// A store that did not answer in time, or that a node knows it cannot reach now: the caller
/// says so ("the shop cannot take the order right now") instead of waiting, and changes nothing.
public struct StoreUnavailable: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
