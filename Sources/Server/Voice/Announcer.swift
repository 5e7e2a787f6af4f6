import VoiceProtocol

/// Sends events to the device at once, in the middle of a turn: the connection's socket, or
/// nothing for a channel that speaks only its replies.
typealias Announcer = @Sendable ([ServerEvent]) async -> Void
