import Foundation

/// A session's place in the limits, from `SessionLimits.admit`.
public struct SessionSlot: Sendable, Equatable {
    public var id: String
    public var deviceId: String

    public init(id: String = UUID().uuidString.lowercased(), deviceId: String) {
        self.id = id
        self.deviceId = deviceId
    }
}
