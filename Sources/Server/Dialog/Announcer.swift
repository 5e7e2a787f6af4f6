/// Tells the customer at once, in the middle of a turn (an order written, before its payment
/// answers): the connection's socket, or nothing for a channel that speaks only its replies.
typealias Announcer = @Sendable ([DialogReply]) async -> Void
