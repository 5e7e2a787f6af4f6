import Foundation
import GRDB

/// Stores what a conversation heard: each turn with its transcript sealed under the
/// customer's key and, where consent and configuration allow, the utterance's audio as a
/// sealed Ogg Opus file. Reads them back for export.
public struct SQLiteTurnStorage: Sendable {
    public let database: AppDatabase
    public let vault: KeyVault
    /// Where the sealed recordings live.
    public let directory: URL

    public init(database: AppDatabase, vault: KeyVault, directory: URL) {
        self.database = database
        self.vault = vault
        self.directory = directory
    }

    /// The data directory's layout: `keys/`, `recordings/`, next to `talkshop.sqlite`.
    public static func open(database: AppDatabase, dataDirectory: URL) throws -> SQLiteTurnStorage {
        SQLiteTurnStorage(
            database: database, vault: try KeyVault.open(dataDirectory: dataDirectory),
            directory: dataDirectory.appendingPathComponent("recordings"))
    }

    /// Stores the turn (its `transcript` sealed, never stored in clear) and its audio, if
    /// given. Returns the turn as stored, with its id.
    @discardableResult
    public func record(_ turn: Turn, audio: TurnAudio? = nil) throws -> Turn {
        var stored = turn
        let customerId = try turn.customerId ?? database.writer.read { db in
            try String.fetchOne(db, sql: "SELECT customerId FROM conversation WHERE id = ?", arguments: [turn.conversationId])
        } ?? "unknown"
        stored.customerId = customerId
        stored.sealedTranscript = try turn.transcript.map { try vault.seal(Data($0.utf8), customerId: customerId) }
        stored.transcript = nil
        var recording: Recording?
        if let audio {
            let id = UUID().uuidString.lowercased()
            let sealed = try vault.seal(Data(audio.oggOpus), customerId: customerId)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try sealed.write(to: file(id), options: .atomic)
            recording = Recording(
                id: id, turnId: nil, customerId: customerId, deviceId: audio.deviceId, deviceClass: turn.deviceClass ?? "speaker",
                sessionId: turn.sessionId, orderId: nil, byteCount: audio.oggOpus.count, durationSeconds: audio.durationSeconds,
                createdAt: turn.createdAt)
        }
        do {
            try database.writer.write { db in
                try stored.insert(db)
                if var recording {
                    recording.turnId = stored.id
                    try recording.insert(db)
                }
            }
        } catch {
            // The insert's error is the one to report. A file this cannot destroy has no row, and is
            // sealed with the customer's key, which an erasure destroys.
            if let recording { _ = try? SecureFile.destroy(file(recording.id)) }
            throw error
        }
        return stored
    }

    /// Links turns (and their recordings) to the order they led to.
    public func link(turnIds: [Int64], toOrder orderId: String) throws {
        guard !turnIds.isEmpty else { return }
        try database.writer.write { db in
            let placeholders = databaseQuestionMarks(count: turnIds.count)
            let arguments = StatementArguments([orderId]) + StatementArguments(turnIds)
            try db.execute(sql: "UPDATE turn SET orderId = ? WHERE id IN (\(placeholders))", arguments: arguments)
            try db.execute(sql: "UPDATE recording SET orderId = ? WHERE turnId IN (\(placeholders))", arguments: arguments)
        }
    }

    /// Links the session's turns not linked yet (those since its last order) to the order.
    public func link(sessionId: String, toOrder orderId: String) throws {
        try database.writer.write { db in
            try db.execute(
                sql: "UPDATE turn SET orderId = ? WHERE sessionId = ? AND orderId IS NULL", arguments: [orderId, sessionId])
            try db.execute(
                sql: """
                    UPDATE recording SET orderId = ? WHERE orderId IS NULL
                    AND turnId IN (SELECT id FROM turn WHERE sessionId = ? AND orderId = ?)
                    """,
                arguments: [orderId, sessionId, orderId])
        }
    }

    /// The conversation's turns with their transcripts opened.
    public func turns(conversationId: String) throws -> [Turn] {
        try opened(database.writer.read { db in
            try Turn.filter(Turn.Columns.conversationId == conversationId).order(Turn.Columns.id).fetchAll(db)
        })
    }

    public func turns(customerId: String) throws -> [Turn] {
        try opened(database.writer.read { db in
            try Turn.filter(Turn.Columns.customerId == customerId).order(Turn.Columns.id).fetchAll(db)
        })
    }

    public func recordings(customerId: String) throws -> [Recording] {
        try database.writer.read { db in
            try Recording.filter(Recording.Columns.customerId == customerId).order(Recording.Columns.createdAt).fetchAll(db)
        }
    }

    /// The recording's Ogg Opus bytes; throws `KeyVault.Failure.noKey` once the customer is erased.
    public func audio(of recording: Recording) throws -> Data {
        try vault.open(try Data(contentsOf: file(recording.id)), customerId: recording.customerId, what: "recording \(recording.id)")
    }

    public func file(_ recordingId: String) -> URL {
        directory.appendingPathComponent(recordingId + ".opus.sealed")
    }

    /// Destroys the files of deleted recordings (after the rows' deletion has committed).
    func destroyFiles(_ recordingIds: [String]) throws {
        try SecureFile.destroy(recordingIds.map(file))
    }

    private func opened(_ turns: [Turn]) throws -> [Turn] {
        try turns.map { turn in
            var turn = turn
            if let sealed = turn.sealedTranscript, let customerId = turn.customerId {
                turn.transcript = String(decoding: try vault.open(sealed, customerId: customerId, what: "a transcript"), as: UTF8.self)
            }
            return turn
        }
    }
}

extension SQLiteTurnStorage: TurnStorage {}
