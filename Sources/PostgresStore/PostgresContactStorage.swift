import Foundation
import Logging
import PostgresNIO
import Store

/// The contacts' analytics in PostgreSQL, where every node writes its sessions' records.
public struct PostgresContactStorage: ContactStorage {
    private let database: PostgresConnections
    /// The database it writes to.
    public var connections: PostgresConnections { database }

    public init(database: PostgresConnections) {
        self.database = database
    }

    public func record(_ contact: ContactRecord) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(
                #"""
                INSERT INTO "contact" ("sessionId", "conversationId", "customerId", "channel", "startedAt", "endedAt", "topic", "countsJSON",
                                       "endedAsking", "trailingRejections", "secondsToOrder", "rebuilt")
                VALUES (\#(contact.sessionId), \#(contact.conversationId), \#(contact.customerId), \#(contact.channel), \#(contact.startedAt),
                        \#(contact.endedAt), \#(contact.topic), \#(contact.countsJSON), \#(contact.endedAsking), \#(contact.trailingRejections),
                        \#(contact.secondsToOrder), \#(contact.rebuilt))
                ON CONFLICT ("sessionId") DO UPDATE SET
                  "conversationId" = EXCLUDED."conversationId", "customerId" = EXCLUDED."customerId", "channel" = EXCLUDED."channel",
                  "startedAt" = EXCLUDED."startedAt", "endedAt" = EXCLUDED."endedAt", "topic" = EXCLUDED."topic",
                  "countsJSON" = EXCLUDED."countsJSON", "endedAsking" = EXCLUDED."endedAsking",
                  "trailingRejections" = EXCLUDED."trailingRejections", "secondsToOrder" = EXCLUDED."secondsToOrder", "rebuilt" = EXCLUDED."rebuilt"
                """#, logger: logger)
        }
    }

    public func contacts(endedSince since: Date) async throws -> [ContactRecord] {
        try await database.withConnection { connection, logger in
            try await Self.contacts(#"WHERE "endedAt" >= $1 ORDER BY "endedAt""#, [since], on: connection, logger: logger)
        }
    }

    /// The contacts a condition selects (placeholders `$1` …, bound to `values`).
    private static func contacts(
        _ condition: String, _ values: [any PostgresEncodable & Sendable], on connection: PostgresConnection, logger: Logger
    ) async throws -> [ContactRecord] {
        var contacts: [ContactRecord] = []
        let rows = try await connection.query(
            try .selecting(
                #"""
                SELECT "sessionId", "conversationId", "customerId", "channel", "startedAt", "endedAt", "topic", "countsJSON", "endedAsking",
                       "trailingRejections", "secondsToOrder", "rebuilt"
                FROM "contact"
                """# + " " + condition, values), logger: logger)
        for try await (session, conversation, customer, channel, started, ended, topic, counts, asking, trailing, toOrder, rebuilt) in rows.decode(
            (String, String?, String?, String, Date, Date, String?, String, String?, Int, Double?, Bool).self)
        {
            var contact = ContactRecord(
                sessionId: session, conversationId: conversation, customerId: customer, channel: channel, startedAt: started, endedAt: ended,
                topic: topic, counts: [:], endedAsking: asking, trailingRejections: trailing, secondsToOrder: toOrder, rebuilt: rebuilt)
            contact.countsJSON = counts
            contacts.append(contact)
        }
        return contacts
    }

    @discardableResult
    public func anonymise(customerId: String) async throws -> Int {
        try await database.withTransaction { connection, logger in
            try await Self.anonymise(customerId: customerId, on: connection, logger: logger)
        }
    }

    /// `anonymise` inside a transaction of the caller's (an erasure's).
    @discardableResult
    static func anonymise(customerId: String, on connection: PostgresConnection, logger: Logger) async throws -> Int {
        let mine = try await contacts(#"WHERE "customerId" = $1 FOR UPDATE"#, [customerId], on: connection, logger: logger)
        let anonymised = ContactRecord.anonymised(mine)
        for (former, contact) in anonymised {
            try await connection.query(
                #"""
                UPDATE "contact" SET "sessionId" = \#(contact.sessionId), "conversationId" = \#(contact.conversationId), "customerId" = NULL,
                  "startedAt" = \#(contact.startedAt), "endedAt" = \#(contact.endedAt)
                WHERE "sessionId" = \#(former)
                """#, logger: logger)
        }
        return anonymised.count
    }

    public func removeRebuilt(endedSince since: Date) async throws {
        try await database.withConnection { connection, logger in
            try await connection.query(#"DELETE FROM "contact" WHERE "rebuilt" AND "endedAt" >= \#(since)"#, logger: logger)
        }
    }

    public func uncountedSessions(endedSince since: Date) async throws -> [ContactSource] {
        try await database.withConnection { connection, logger in
            var sources: [ContactSource] = []
            let sessions = try await connection.query(
                #"""
                SELECT s."id", s."conversationId", d."customerId", s."channel", d."deviceClass", s."startedAt", s."endedAt", s."endReason", s."audioSeconds"
                FROM "session" s JOIN "device" d ON d."id" = s."deviceId"
                WHERE s."endedAt" IS NOT NULL AND s."endedAt" >= \#(since) AND NOT EXISTS (SELECT 1 FROM "contact" c WHERE c."sessionId" = s."id")
                  AND NOT EXISTS (SELECT 1 FROM "erasureRequest" r WHERE r."customerId" = d."customerId" AND r."completedAt" IS NOT NULL)
                ORDER BY s."endedAt"
                """#, logger: logger)
            for try await (id, conversation, customer, channel, deviceClass, started, ended, reason, audio) in sessions.decode(
                (String, String?, String, String, String, Date, Date, String?, Double).self)
            {
                sources.append(ContactSource(
                    sessionId: id, conversationId: conversation, customerId: customer, sessionChannel: channel, deviceClass: deviceClass,
                    startedAt: started, endedAt: ended, endReason: reason, audioSeconds: audio, turns: [], orders: []))
            }
            for index in sources.indices {
                let id = sources[index].sessionId
                let turns = try await connection.query(
                    #"SELECT "intent", "outcome", "createdAt" FROM "turn" WHERE "sessionId" = \#(id) ORDER BY "id""#, logger: logger)
                for try await (intent, outcome, at) in turns.decode((String?, String, Date).self) {
                    sources[index].turns.append(.init(intent: intent, outcome: outcome, at: at))
                }
                var rows: [(String, Date, String)] = []
                let orders = try await connection.query(
                    #"""
                    SELECT o."id", o."createdAt", e."status" FROM "order" o JOIN "orderEvent" e ON e."orderId" = o."id"
                    WHERE o."idempotencyKey" LIKE \#(ContactSource.keyPattern(of: id)) ESCAPE '\' ORDER BY o."createdAt"
                    """#, logger: logger)
                for try await row in orders.decode((String, Date, String).self) { rows.append(row) }
                sources[index].orders = ContactSource.orders(rows)
            }
            return sources
        }
    }
}
