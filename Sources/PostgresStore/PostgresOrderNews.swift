import Commerce
import Foundation
import Logging
import PostgresNIO
import Store

/// Order events pushed across nodes with PostgreSQL's LISTEN/NOTIFY: every event
/// `PostgresOrderStorage` writes notifies `channel` with its id when its transaction commits, and
/// each node listens on one long-lived connection. A notification only says "there is news
/// up to this id"; the node then reads the events after the last one it handled, so one missed
/// while reconnecting is read on the next, and nothing is polled.
public struct PostgresOrderNews: OrderNews {
    public static let channel = "talkshop_order_events"

    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    /// Calls `ready` once listening, then `onNotice` with each event id notified, until the task
    /// is cancelled or the connection fails (then it throws; the caller reconnects).
    public func listen(ready: @Sendable () async -> Void = {}, onNotice: @Sendable (Int64) async -> Void) async throws {
        try await database.withOwnConnection { connection, _ in
            try await connection.listen(on: Self.channel) { notifications in
                await ready()
                for try await notification in notifications {
                    await onNotice(Int64(notification.payload) ?? 0)
                }
            }
        }
    }
}
