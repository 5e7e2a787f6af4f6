import Foundation
import GRDB

/// The contacts in the SQLite file.
public struct SQLiteContactStorage: ContactStorage {
    public let database: AppDatabase

    public init(database: AppDatabase) {
        self.database = database
    }

    public func record(_ contact: ContactRecord) throws {
        try database.writer.write { db in try contact.save(db) }
    }

    public func contacts(endedSince since: Date) throws -> [ContactRecord] {
        try database.writer.read { db in
            try ContactRecord.filter(ContactRecord.Columns.endedAt >= since).order(ContactRecord.Columns.endedAt).fetchAll(db)
        }
    }

    @discardableResult
    public func anonymise(customerId: String) throws -> Int {
        try database.writer.write { db in try Self.anonymise(customerId: customerId, in: db) }
    }

    /// `anonymise` inside a transaction of the caller's (an erasure's).
    @discardableResult
    public static func anonymise(customerId: String, in db: Database) throws -> Int {
        let anonymised = ContactRecord.anonymised(try ContactRecord.filter(ContactRecord.Columns.customerId == customerId).fetchAll(db))
        for (former, contact) in anonymised {
            _ = try ContactRecord.deleteOne(db, key: former)
            try contact.insert(db)
        }
        return anonymised.count
    }

    public func removeRebuilt(endedSince since: Date) throws {
        try database.writer.write { db in
            _ = try ContactRecord.filter(ContactRecord.Columns.rebuilt == true && ContactRecord.Columns.endedAt >= since).deleteAll(db)
        }
    }

    public func uncountedSessions(endedSince since: Date) throws -> [ContactSource] {
        try database.writer.read { db in
            let sessions = try Row.fetchAll(db, sql: """
                SELECT s.id, s.conversationId, d.customerId, s.channel, d.deviceClass, s.startedAt, s.endedAt, s.endReason, s.audioSeconds
                FROM session s JOIN device d ON d.id = s.deviceId
                WHERE s.endedAt IS NOT NULL AND s.endedAt >= ? AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.sessionId = s.id)
                  AND NOT EXISTS (SELECT 1 FROM erasureRequest r WHERE r.customerId = d.customerId AND r.completedAt IS NOT NULL)
                ORDER BY s.endedAt
                """, arguments: [since])
            return try sessions.map { row in
                let id: String = row[0]
                let turns = try Row.fetchAll(db, sql: "SELECT intent, outcome, createdAt FROM turn WHERE sessionId = ? ORDER BY id", arguments: [id])
                    .map { ContactSource.TurnFact(intent: $0[0], outcome: $0[1], at: $0[2]) }
                let orders = try Row.fetchAll(db, sql: """
                    SELECT o.id, o.createdAt, e.status FROM "order" o JOIN orderEvent e ON e.orderId = o.id
                    WHERE o.idempotencyKey LIKE ? ESCAPE '\\' ORDER BY o.createdAt
                    """, arguments: [ContactSource.keyPattern(of: id)])
                return ContactSource(
                    sessionId: id, conversationId: row[1], customerId: row[2], sessionChannel: row[3], deviceClass: row[4], startedAt: row[5],
                    endedAt: row[6], endReason: row[7], audioSeconds: row[8], turns: turns, orders: ContactSource.orders(orders.map { ($0[0], $0[1], $0[2]) }))
            }
        }
    }
}
