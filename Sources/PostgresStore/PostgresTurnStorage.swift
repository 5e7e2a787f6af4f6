import Foundation
import Logging
import PostgresNIO
import Store

/// Turns and their recordings in PostgreSQL, where every node reaches them: each transcript
/// and each recording's Ogg Opus bytes sealed under the customer's key (`PostgresKeyVault`)
/// before they are sent to the database, so no words or audio are ever in its pages, WAL or
/// backups in clear. `erase` is the customer's erasure.
public struct PostgresTurnStorage: TurnStorage {
    private let database: PostgresConnections
    public let vault: PostgresKeyVault

    public init(database: PostgresConnections, vault: PostgresKeyVault) {
        self.database = database
        self.vault = vault
    }

    /// Stores the turn, its transcript sealed, and its audio if given (sealed too). Returns
    /// the turn as stored, with its id.
    @discardableResult
    public func record(_ turn: Turn, audio: TurnAudio? = nil) async throws -> Turn {
        let customerId = turn.customerId ?? "unknown"
        var stored = turn
        stored.customerId = customerId
        if let transcript = turn.transcript { stored.sealedTranscript = try await vault.seal(Data(transcript.utf8), customerId: customerId) }
        stored.transcript = nil
        let sealedAudio: Data? = if let audio { try await vault.seal(Data(audio.oggOpus), customerId: customerId) } else { nil }
        let turnToInsert = stored
        stored.id = try await database.withTransaction { connection, logger in
            var id: Int64 = 0
            for try await inserted in try await connection.query(
                #"""
                INSERT INTO "turn" ("conversationId", "sessionId", "customerId", "deviceClass", "orderId", "transcript", "sealedTranscript",
                                    "intent", "confidence", "outcome", "createdAt")
                VALUES (\#(turnToInsert.conversationId), \#(turnToInsert.sessionId), \#(customerId), \#(turnToInsert.deviceClass),
                        \#(turnToInsert.orderId), \#(String?.none), \#(turnToInsert.sealedTranscript), \#(turnToInsert.intent),
                        \#(turnToInsert.confidence), \#(turnToInsert.outcome), \#(turnToInsert.createdAt))
                RETURNING "id"
                """#, logger: logger
            ).decode(Int64.self) { id = inserted }
            if let audio, let sealedAudio {
                let recordingId = UUID().uuidString.lowercased()
                try await connection.query(
                    #"""
                    INSERT INTO "recording" ("id", "turnId", "customerId", "deviceId", "deviceClass", "sessionId", "orderId", "byteCount",
                                             "durationSeconds", "createdAt")
                    VALUES (\#(recordingId), \#(id), \#(customerId), \#(audio.deviceId), \#(turnToInsert.deviceClass ?? "speaker"),
                            \#(turnToInsert.sessionId), \#(String?.none), \#(audio.oggOpus.count), \#(audio.durationSeconds), \#(turnToInsert.createdAt))
                    """#, logger: logger)
                try await connection.query(
                    #"INSERT INTO "recordingData" ("recordingId", "sealed") VALUES (\#(recordingId), \#(sealedAudio))"#, logger: logger)
            }
            return id
        }
        return stored
    }

    /// Links the session's turns not linked yet (those since its last order) to the order.
    public func link(sessionId: String, toOrder orderId: String) async throws {
        try await database.withTransaction { connection, logger in
            try await connection.query(
                #"UPDATE "turn" SET "orderId" = \#(orderId) WHERE "sessionId" = \#(sessionId) AND "orderId" IS NULL"#, logger: logger)
            try await connection.query(
                #"""
                UPDATE "recording" SET "orderId" = \#(orderId) WHERE "orderId" IS NULL
                AND "turnId" IN (SELECT "id" FROM "turn" WHERE "sessionId" = \#(sessionId) AND "orderId" = \#(orderId))
                """#, logger: logger)
        }
    }

    /// The customer's recordings, oldest first (their audio: `audio(customerId:)`).
    public func recordings(customerId: String) async throws -> [Recording] {
        try await database.withConnection { connection, logger in
            var found: [Recording] = []
            for try await (id, turnId, deviceId, deviceClass, sessionId, orderId, byteCount, duration, created) in try await connection.query(
                #"""
                SELECT "id", "turnId", "deviceId", "deviceClass", "sessionId", "orderId", "byteCount", "durationSeconds", "createdAt"
                FROM "recording" WHERE "customerId" = \#(customerId) ORDER BY "createdAt", "id"
                """#, logger: logger
            ).decode((String, Int64?, String, String, String, String?, Int, Double, Date).self) {
                found.append(Recording(
                    id: id, turnId: turnId, customerId: customerId, deviceId: deviceId, deviceClass: deviceClass, sessionId: sessionId,
                    orderId: orderId, byteCount: byteCount, durationSeconds: duration, createdAt: created))
            }
            return found
        }
    }

    /// The customer's turns, oldest first, with their transcripts opened.
    public func turns(customerId: String) async throws -> [Turn] {
        let rows = try await database.withConnection { connection, logger in
            var found: [(Int64, String, String, String?, String?, Data?, String?, Double?, String, Date)] = []
            for try await row in try await connection.query(
                #"""
                SELECT "id", "conversationId", "sessionId", "deviceClass", "orderId", "sealedTranscript", "intent", "confidence", "outcome", "createdAt"
                FROM "turn" WHERE "customerId" = \#(customerId) ORDER BY "id"
                """#, logger: logger
            ).decode((Int64, String, String, String?, String?, Data?, String?, Double?, String, Date).self) { found.append(row) }
            return found
        }
        var turns: [Turn] = []
        for (id, conversationId, sessionId, deviceClass, orderId, sealed, intent, confidence, outcome, created) in rows {
            var transcript: String?
            if let sealed { transcript = String(decoding: try await vault.open(sealed, customerId: customerId, what: "a transcript"), as: UTF8.self) }
            var turn = Turn(
                conversationId: conversationId, sessionId: sessionId, customerId: customerId, deviceClass: deviceClass, transcript: transcript,
                intent: intent, confidence: confidence, outcome: outcome, createdAt: created)
            turn.id = id
            turn.orderId = orderId
            turn.sealedTranscript = sealed
            turns.append(turn)
        }
        return turns
    }

    /// The Ogg Opus bytes of the customer's recordings by recording id, oldest first;
    /// `KeyVault.Failure.noKey` once the customer is erased.
    public func audio(customerId: String) async throws -> [(recordingId: String, oggOpus: Data)] {
        let sealed = try await database.withConnection { connection, logger in
            var found: [(String, Data)] = []
            for try await row in try await connection.query(
                #"""
                SELECT r."id", d."sealed" FROM "recording" r JOIN "recordingData" d ON d."recordingId" = r."id"
                WHERE r."customerId" = \#(customerId) ORDER BY r."createdAt", r."id"
                """#, logger: logger
            ).decode((String, Data).self) { found.append(row) }
            return found
        }
        var audio: [(recordingId: String, oggOpus: Data)] = []
        for (id, data) in sealed { audio.append((id, try await vault.open(data, customerId: customerId, what: "recording \(id)"))) }
        return audio
    }

    /// What an erasure removed.
    public struct Erasure: Sendable, Equatable {
        public var turns = 0
        public var recordings = 0
        public var key = false
        /// Whether the key table was rewritten after every older transaction had ended, so the
        /// deleted key row was left out of it; false if one still ran after `erase`'s wait (run
        /// the erasure again later: it rewrites the table again).
        public var keyTableRewritten = false

        public init(turns: Int = 0, recordings: Int = 0, key: Bool = false, keyTableRewritten: Bool = false) {
            self.turns = turns
            self.recordings = recordings
            self.key = key
            self.keyTableRewritten = keyTableRewritten
        }
    }

    /// Erases the customer: their turns, recordings and key in one transaction, then the
    /// tables rewritten, so the deleted rows leave the table files. The key table is rewritten
    /// whole (`VACUUM FULL`, small); the others are vacuumed, which frees their space for reuse
    /// — what lingers there, and in the WAL and backups, is sealed under the destroyed key.
    ///
    /// A rewrite keeps a deleted row that a running transaction might still see: one that
    /// began before the erasure, anywhere in the cluster (even a connection still starting up
    /// counts). So the key table is rewritten once no such transaction remains, waiting at most
    /// `wait`.
    /// `alsoInTransaction` runs in the erasure's transaction (the retention desk's bookkeeping).
    public func erase(
        customerId: String, wait: Duration = .seconds(60),
        alsoInTransaction: @escaping @Sendable (PostgresConnection, Logger) async throws -> Void = { _, _ in }
    ) async throws -> Erasure {
        let (removed, transaction) = try await database.withTransaction { connection, logger in
            var erasure = Erasure()
            var transaction: Int64 = 0
            transaction = try await PostgresKeyVault.currentTransaction(on: connection, logger: logger)
            for try await _ in try await connection.query(
                #"DELETE FROM "recordingData" WHERE "recordingId" IN (SELECT "id" FROM "recording" WHERE "customerId" = \#(customerId)) RETURNING 1"#,
                logger: logger
            ) {}
            erasure.recordings = try await connection.query(
                #"DELETE FROM "recording" WHERE "customerId" = \#(customerId) RETURNING 1"#, logger: logger
            ).collect().count
            erasure.turns = try await connection.query(#"DELETE FROM "turn" WHERE "customerId" = \#(customerId) RETURNING 1"#, logger: logger)
                .collect().count
            erasure.key = try await PostgresKeyVault.destroyKey(customerId, on: connection, logger: logger)
            try await alsoInTransaction(connection, logger)
            return (erasure, transaction)
        }
        var erased = removed
        // VACUUM cannot run in a transaction; a failure here leaves the rows deleted and the key
        // gone (the erasure stands), and is thrown so the rewrite can be run again.
        erased.keyTableRewritten = try await database.withConnection { connection, logger in
            let clear = try await PostgresKeyVault.rewriteKeyTable(after: transaction, on: connection, logger: logger, waitingAtMost: wait)
            try await connection.query(#"VACUUM "turn", "recording", "recordingData""#, logger: logger)
            return clear
        }
        return erased
    }
}
