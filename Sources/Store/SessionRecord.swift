import Foundation

/// A connection of a device: when it started and ended, why, and how much it heard.
public struct SessionRecord: Codable, Sendable, Equatable {

    public var id: String
    public var deviceId: String
    public var conversationId: String?
    public var channel: String
    public var startedAt: Date
    public var endedAt: Date?
    public var endReason: String?
    public var utterances: Int
    public var audioSeconds: Double

    public init(
        id: String, deviceId: String, conversationId: String?, channel: String, startedAt: Date, endedAt: Date?, endReason: String?,
        utterances: Int, audioSeconds: Double
    ) {
        self.id = id
        self.deviceId = deviceId
        self.conversationId = conversationId
        self.channel = channel
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endReason = endReason
        self.utterances = utterances
        self.audioSeconds = audioSeconds
    }
}
