import Crypto
import Foundation
import PostgresStore
import Store
import TalkshopTesting
import Testing

/// The retention desk's rules on both backends, through `RetentionOffice`: what one node's
/// SQLite desk does, the shared PostgreSQL desk does for every node.
struct RetentionOfficeTests {
    /// A backend's turn log, retention desk and conversations, on a new database.
    struct Office {
        var turns: any TurnLog
        var desk: any RetentionOffice
        var conversations: any ConversationLog

        static func with(_ backend: Backend, _ body: (Office) async throws -> Void) async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            try await backend.with(
                sqlite: { database in
                    let recorder = TurnRecorder(
                        database: database, vault: KeyVault(directory: directory.appendingPathComponent("keys"), keyEncryptionKey: SymmetricKey(size: .bits256)),
                        directory: directory.appendingPathComponent("recordings"))
                    let desk = RetentionDesk(recorder: recorder, audit: AuditLog(database: database, headFile: directory.appendingPathComponent("audit.head")))
                    return Office(turns: recorder, desk: desk, conversations: ShopStores(sqlite: database).conversations)
                },
                postgres: { connections in
                    let shop = ShopStores(postgres: connections)
                    let turns = PostgresTurnLog(database: connections, vault: PostgresKeyVault(database: connections, keyEncryptionKey: SymmetricKey(size: .bits256)))
                    let desk = PostgresRetentionDesk(database: connections, turns: turns, orders: shop.orders, customers: shop.customers)
                    return Office(turns: turns, desk: desk, conversations: shop.conversations)
                }, body)
        }

        /// A turn of `customerId` in `sessionId`, spoken `daysAgo` days ago, with audio.
        func say(_ words: String, customerId: String, sessionId: String, daysAgo: Double = 0) async throws {
            let conversation = try await conversations.conversation(resuming: nil, customerId: customerId, initialState: "main")
            try await turns.record(
                Turn(conversationId: conversation.id, sessionId: sessionId, customerId: customerId, deviceClass: "speaker", transcript: words,
                     intent: "addItem", confidence: 0.9, outcome: "accepted", createdAt: Date().addingTimeInterval(-daysAgo * 86_400)),
                audio: .init(oggOpus: Array("OggS \(words)".utf8), durationSeconds: 1, deviceId: "d-\(customerId)"))
        }
    }

    @Test(arguments: Backend.available)
    func aHoldBlocksAPurgeAndDefersAnErasureUntilItIsReleased(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            try await office.say("a large latte", customerId: "ana", sessionId: "s1")
            try await office.say("check out", customerId: "ana", sessionId: "s2")
            try await office.say("a small mocha", customerId: "ben", sessionId: "s3")
            let desk = office.desk

            let hold = try await desk.hold(.session, "s1", reason: "dispute 7", officer: "olga")
            await #expect(throws: RetentionDesk.Refusal.self) {
                try await desk.purge(.session("s1"), reason: "asked", officer: "olga", reference: nil, dryRun: false)
            }
            await #expect(throws: RetentionDesk.Refusal(description: "no session nope", kind: .notFound)) {
                try await desk.purge(.session("nope"), reason: "asked", officer: "olga", reference: nil, dryRun: false)
            }
            #expect(try await office.turns.turns(customerId: "ana").count == 2, "a refused purge changes nothing")

            let deferred = try await desk.purge(.customer("ana"), reason: "GDPR art. 17", officer: "olga", reference: "T-1", dryRun: false)
            #expect(deferred.deferred != nil && deferred.blockingHolds == [hold.id] && !deferred.keyDestroyed)
            #expect(try await office.turns.turns(customerId: "ana").count == 2, "held: nothing erased yet")

            let (released, erasures) = try await desk.release(holdId: hold.id, reason: "dispute settled", officer: "olga")
            #expect(released.releasedBy == "olga" && erasures.count == 1)
            #expect(erasures.first?.turns == 2 && erasures.first?.recordings == 2 && erasures.first?.keyDestroyed == true)
            #expect(try await office.turns.turns(customerId: "ana").isEmpty)
            #expect(try await office.turns.turns(customerId: "ben").map(\.transcript) == ["a small mocha"], "others untouched")
            await #expect(throws: RetentionDesk.Refusal.self) { try await desk.release(holdId: hold.id, reason: "again", officer: "olga") }

            let actions = try await desk.auditTrail.entries().map(\.action)
            #expect(actions == ["hold", "erasure_deferred", "release", "erasure"])
            #expect(try await desk.auditTrail.verify(expectedHead: nil) == .intact(entries: 4, head: try await desk.auditTrail.entries().last!.hash))
        }
    }

    @Test(arguments: Backend.available)
    func aSweepRemovesWhatIsPastItsPeriodExceptWhatIsHeld(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            // Default policy: audio 30 days, transcripts 90 days.
            try await office.say("old words", customerId: "ana", sessionId: "s1", daysAgo: 100)
            try await office.say("old held words", customerId: "ben", sessionId: "s2", daysAgo: 100)
            try await office.say("audio expired", customerId: "ana", sessionId: "s3", daysAgo: 40)
            try await office.say("fresh", customerId: "ana", sessionId: "s4", daysAgo: 1)
            try await office.desk.hold(.customer, "ben", reason: "litigation", officer: "olga")
            let policy = RetentionPolicy()
            let periods = policy.periods(for: nil)
            #expect(periods.audio < 40 && periods.transcript > 40 && periods.transcript < 100, "the test's ages straddle the default periods")

            let dry = try await office.desk.sweep(policy: policy, now: Date(), actor: "system", dryRun: true)
            #expect(dry.transcripts == 1 && dry.recordings == 2 && dry.heldTranscripts == 1 && dry.heldRecordings == 1)
            #expect(try await office.turns.turns(customerId: "ana").count == 3, "a dry run changes nothing")

            let swept = try await office.desk.sweep(policy: policy, now: Date(), actor: "system", dryRun: false)
            #expect(swept.transcripts == 1 && swept.recordings == 2 && swept.heldTranscripts == 1)
            #expect(try await office.turns.turns(customerId: "ana").map(\.transcript) == ["audio expired", "fresh"])
            #expect(try await office.turns.turns(customerId: "ben").count == 1, "held")
            let export = try await office.desk.export(customerId: "ana", reason: "access request", officer: "olga")
            #expect(export.manifest.utterances.map(\.transcript) == ["audio expired", "fresh"])
            #expect(export.manifest.recordings.count == 1 && export.audio.values.map { String(decoding: $0, as: UTF8.self) } == ["OggS fresh"])
            #expect(try await office.desk.auditTrail.entries().map(\.action) == ["hold", "sweep", "export"])
        }
    }

    @Test(arguments: Backend.available)
    func aPurgeByDateTakesOnlyTheRange(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            try await office.say("ten days ago", customerId: "ana", sessionId: "s1", daysAgo: 10)
            try await office.say("today", customerId: "ana", sessionId: "s2")
            let fiveDaysAgo = Date().addingTimeInterval(-5 * 86_400)
            await #expect(throws: RetentionDesk.Refusal.self) {
                try await office.desk.purge(.dates(from: fiveDaysAgo, to: fiveDaysAgo), reason: "r", officer: "o", reference: nil, dryRun: false)
            }
            let report = try await office.desk.purge(.dates(from: nil, to: fiveDaysAgo), reason: "clean-up", officer: "olga", reference: nil, dryRun: false)
            #expect(report.turns == 1 && report.recordings == 1)
            #expect(try await office.turns.turns(customerId: "ana").map(\.transcript) == ["today"])
        }
    }
}
