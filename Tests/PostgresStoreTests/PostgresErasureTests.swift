import Crypto
import Foundation
import PostgresNIO
import PostgresStore
import Store
import TalkshopTesting
import Testing

/// Erasure on PostgreSQL means gone: a sentinel turn and recording are stored, the customer
/// erased, and the PostgreSQL data directory (table files and WAL) scanned byte by byte. The
/// words and audio were never there in clear; after the erasure the key table's files hold no
/// copy of the customer's wrapped key, and the sealed copies that remain cannot be opened.
struct PostgresErasureTests {
    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func anErasedCustomersWordsAndAudioAreNowhereReadableInTheDataDirectory() async throws {
        try await Backend.withPostgres { connections in
            let kek = SymmetricKey(size: .bits256)
            let log = PostgresTurnStorage(database: connections, vault: PostgresKeyVault(database: connections, keyEncryptionKey: kek))
            let sentinel = "sentinel-\(UUID().uuidString.lowercased())"
            let spoken = Data("OggS-audio-\(sentinel)".utf8)
            let conversation = try await PostgresConversationStorage(database: connections).conversation(
                resuming: nil, customerId: "erin", initialState: "main")
            // Another customer's turn, which the erasure must leave readable.
            let other = try await PostgresConversationStorage(database: connections).conversation(resuming: nil, customerId: "olaf", initialState: "main")
            try await log.record(
                Turn(conversationId: other.id, sessionId: "s0", customerId: "olaf", transcript: "a small latte", intent: "orderDrink", confidence: 0.9, outcome: "accepted"))
            let stored = try await log.record(
                Turn(conversationId: conversation.id, sessionId: "s1", customerId: "erin", transcript: "i'd like a \(sentinel)", intent: "orderDrink",
                     confidence: 0.9, outcome: "accepted"),
                audio: .init(oggOpus: Array(spoken), durationSeconds: 1.2, deviceId: "d1"))
            #expect(try await log.turns(customerId: "erin").map(\.transcript) == ["i'd like a \(sentinel)"])
            #expect(try await log.audio(customerId: "erin").map(\.oggOpus) == [spoken])

            let dataDirectory = try await Self.dataDirectory(connections)
            try await Self.checkpoint(connections)
            let sealedTranscript = try #require(stored.sealedTranscript)
            let wrappedKey = try #require(try await Self.wrappedKey(of: "erin", connections))
            #expect(Self.occurrences(of: Data(sentinel.utf8), in: dataDirectory) == 0, "the words never reach the database in clear")
            #expect(Self.occurrences(of: sealedTranscript, in: dataDirectory) > 0, "the scan sees what is stored: the sealed transcript")
            #expect(Self.occurrences(of: wrappedKey, in: dataDirectory.appendingPathComponent("base")) > 0, "and the wrapped key")

            let erasure = try await log.erase(customerId: "erin")
            #expect(erasure == .init(turns: 1, recordings: 1, key: true, keyTableRewritten: true))
            try await Self.checkpoint(connections)

            #expect(Self.occurrences(of: Data(sentinel.utf8), in: dataDirectory) == 0)
            let tableCopies = Self.occurrences(of: wrappedKey, in: dataDirectory.appendingPathComponent("base"))
            #expect(tableCopies == 0, "the key table was rewritten: no table file holds the wrapped key")
            let walCopies = Self.occurrences(of: wrappedKey, in: dataDirectory.appendingPathComponent("pg_wal"))
            print("erasure on PostgreSQL: wrapped key in table files \(tableCopies), in WAL segments \(walCopies) (docs/compliance.md)")
            // A copy of the sealed transcript (a page, the WAL, a backup) cannot be opened any more.
            await #expect(throws: KeyVault.Failure.noKey(customerId: "erin")) {
                try await log.vault.open(sealedTranscript, customerId: "erin")
            }
            #expect(try await log.turns(customerId: "erin").isEmpty)
            #expect(try await log.audio(customerId: "erin").isEmpty)
            #expect(try await log.turns(customerId: "olaf").map(\.transcript) == ["a small latte"], "other customers are untouched")
        }
    }

    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func aTranscriptDoesNotOpenUnderAnotherCustomersKeyOrAnotherKEK() async throws {
        try await Backend.withPostgres { connections in
            let vault = PostgresKeyVault(database: connections, keyEncryptionKey: SymmetricKey(size: .bits256))
            let sealed = try await vault.seal(Data("hello".utf8), customerId: "a")
            _ = try await vault.seal(Data("x".utf8), customerId: "b")
            await #expect(throws: KeyVault.Failure.unreadable("data")) { try await vault.open(sealed, customerId: "b") }
            let otherKEK = PostgresKeyVault(database: connections, keyEncryptionKey: SymmetricKey(size: .bits256))
            await #expect(throws: KeyVault.Failure.unreadable("the key of customer a")) { try await otherKEK.open(sealed, customerId: "a") }
            #expect(try await vault.open(sealed, customerId: "a") == Data("hello".utf8))
        }
    }

    /// After a KEK rotation the data opens under the new KEK only, and no table file holds a
    /// key wrapped under the old one: with the old KEK destroyed, the wrapped keys left in the
    /// WAL and in backups (an erased customer's among them) open no more.
    @Test(.enabled(if: TestPostgres.serverURL != nil, "needs scripts/test.sh's PostgreSQL"))
    func afterAKEKRotationNoTableFileHoldsAKeyWrappedUnderTheOldOne() async throws {
        try await Backend.withPostgres { connections in
            let oldKEK = SymmetricKey(size: .bits256), newKEK = SymmetricKey(size: .bits256)
            let vault = PostgresKeyVault(database: connections, keyEncryptionKey: oldKEK)
            let sealedA = try await vault.seal(Data("for a".utf8), customerId: "a")
            let sealedB = try await vault.seal(Data("for b".utf8), customerId: "b")
            let oldWrapped = try #require(try await Self.wrappedKey(of: "a", connections))

            let rotation = try await vault.rotate(to: newKEK)
            #expect(rotation.keys == 2 && rotation.rewritten)
            let rotated = PostgresKeyVault(database: connections, keyEncryptionKey: newKEK)
            #expect(try await rotated.open(sealedA, customerId: "a") == Data("for a".utf8))
            #expect(try await rotated.open(sealedB, customerId: "b") == Data("for b".utf8))
            await #expect(throws: KeyVault.Failure.unreadable("the key of customer a")) { try await vault.open(sealedA, customerId: "a") }
            try await Self.checkpoint(connections)
            let dataDirectory = try await Self.dataDirectory(connections)
            #expect(Self.occurrences(of: oldWrapped, in: dataDirectory.appendingPathComponent("base")) == 0)
        }
    }

    static func dataDirectory(_ connections: PostgresConnections) async throws -> URL {
        try await connections.withConnection { connection, logger in
            var path = ""
            for try await directory in try await connection.query("SHOW data_directory", logger: logger).decode(String.self) { path = directory }
            return URL(fileURLWithPath: path)
        }
    }

    /// Writes every changed page to the table files, so the scan sees what the database holds.
    static func checkpoint(_ connections: PostgresConnections) async throws {
        _ = try await connections.withConnection { connection, logger in try await connection.query("CHECKPOINT", logger: logger) }
    }

    static func wrappedKey(of customerId: String, _ connections: PostgresConnections) async throws -> Data? {
        try await connections.withConnection { connection, logger in
            var found: Data?
            for try await key in try await connection.query(
                #"SELECT "wrappedKey" FROM "customerKey" WHERE "customerId" = \#(customerId)"#, logger: logger
            ).decode(Data.self) { found = key }
            return found
        }
    }

    /// How many times `needle` occurs in the files under `directory`.
    static func occurrences(of needle: Data, in directory: URL) -> Int {
        guard let files = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else { return 0 }
        var count = 0
        for case let file as URL in files {
            guard (try? file.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                let contents = try? Data(contentsOf: file, options: .alwaysMapped)
            else { continue }
            var start = contents.startIndex
            while let found = contents.range(of: needle, in: start..<contents.endIndex) {
                count += 1
                start = found.upperBound
            }
        }
        return count
    }
}
