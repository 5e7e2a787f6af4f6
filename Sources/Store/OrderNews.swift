/// How a node hears that order events were written, so it can read them and push them to
/// its sessions: `PollingOrderNews` on one node (the staff CLI writes from another process),
/// PostgreSQL's notifications (`PostgresOrderNews`) on several.
public protocol OrderNews: Sendable {
    /// Calls `ready` once listening, then `onNotice` whenever there may be news (with the newest
    /// event id when known, else 0), until cancelled; throws if listening failed (the caller
    /// listens again).
    func listen(ready: @Sendable () async -> Void, onNotice: @Sendable (Int64) async -> Void) async throws
}
