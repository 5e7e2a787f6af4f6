import Foundation

/// A turn's audio as the device sent it, sealed and stored with the turn.
public struct TurnAudio: Sendable {
    public var oggOpus: [UInt8]
    public var durationSeconds: Double
    public var deviceId: String

    public init(oggOpus: [UInt8], durationSeconds: Double, deviceId: String) {
        self.oggOpus = oggOpus
        self.durationSeconds = durationSeconds
        self.deviceId = deviceId
    }
}
