import Commerce
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
        var turns: any TurnStorage
        var desk: RetentionOffice
        var conversations: any ConversationStorage
        var shop: ShopStores

        static func with(_ backend: Backend, _ body: (Office) async throws -> Void) async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            try await backend.with(
                sqlite: { database in
                    let recorder = SQLiteTurnStorage(
                        database: database, vault: KeyVault(directory: directory.appendingPathComponent("keys"), keyEncryptionKey: SymmetricKey(size: .bits256)),
                        directory: directory.appendingPathComponent("recordings"))
                    let desk = RetentionOffice(sqlite: recorder, audit: SQLiteAuditStorage(database: database, headFile: directory.appendingPathComponent("audit.head")))
                    return Office(turns: recorder, desk: desk, conversations: ShopStores(sqlite: database).conversations, shop: ShopStores(sqlite: database))
                },
                postgres: { connections in
                    let shop = ShopStores(postgres: connections)
                    let turns = PostgresTurnStorage(database: connections, vault: PostgresKeyVault(database: connections, keyEncryptionKey: SymmetricKey(size: .bits256)))
                    let desk = RetentionOffice(postgres: connections, turns: turns, orders: shop.orders, customers: shop.customers)
                    return Office(turns: turns, desk: desk, conversations: shop.conversations, shop: shop)
                }
            ) { office in
                try await office.shop.catalog.seedIfEmpty(with: ShopStores.testCatalog)
                try await body(office)
            }
        }

        /// A turn of `customerId` in `sessionId`, spoken `daysAgo` days ago, with audio.
        func say(_ words: String, customerId: String, sessionId: String, daysAgo: Double = 0, deviceClass: String = "speaker") async throws {
            let conversation = try await conversations.conversation(resuming: nil, customerId: customerId, initialState: "main")
            try await turns.record(
                Turn(conversationId: conversation.id, sessionId: sessionId, customerId: customerId, deviceClass: deviceClass, transcript: words,
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
            await #expect(throws: RetentionOffice.Refusal.self) {
                try await desk.purge(.session("s1"), reason: "asked", officer: "olga", reference: nil, dryRun: false)
            }
            await #expect(throws: RetentionOffice.Refusal(description: "no session nope", kind: .notFound)) {
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
            await #expect(throws: RetentionOffice.Refusal.self) { try await desk.release(holdId: hold.id, reason: "again", officer: "olga") }

            let actions = try await desk.auditTrail.entries().map(\.action)
            #expect(actions == ["hold", "erasure_deferred", "release", "erasure"])
            #expect(try await desk.auditTrail.verify(expectedHead: nil) == .intact(entries: 4, head: try await desk.auditTrail.entries().last!.hash))
        }
    }

    /// A NUL in a reason was stored cut (SQLite) while the audit hash covered it whole: `audit
    /// verify` then reported tampering on a database nobody touched, for ever.
    @Test(arguments: Backend.available)
    func textThatCannotBeStoredAsHashedIsRefusedAndTheTrailStaysIntact(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            try await office.say("a large latte", customerId: "ana", sessionId: "s1")
            let desk = office.desk
            let bad: [(String, () async throws -> Void)] = [
                ("reason contains the control character U+0000", { _ = try await desk.hold(.customer, "ana", reason: "case\u{0}7", officer: "olga") }),
                ("subject contains", { _ = try await desk.hold(.customer, "ana\u{0}x", reason: "r", officer: "olga") }),
                ("U+001B", { _ = try await desk.hold(.session, "s1", reason: "\u{1b}[2J audit trail intact", officer: "olga") }),
                ("reference contains", { _ = try await desk.purge(.customer("ana"), reason: "r", officer: "olga", reference: "T\u{202e}1", dryRun: true) }),
                ("reason contains", { _ = try await desk.export(customerId: "ana", reason: "access\u{0}", officer: "olga") }),
            ]
            for (message, attempt) in bad {
                do {
                    try await attempt()
                    Issue.record("accepted: \(message)")
                } catch let refusal as RetentionOffice.Refusal {
                    #expect(refusal.kind == .invalid && refusal.description.contains(message), "\(refusal)")
                }
            }
            #expect(try await desk.holds(activeOnly: false).isEmpty)
            #expect(try await desk.auditTrail.entries().isEmpty, "nothing was written")
            // The trail itself refuses what it could not store as hashed, whoever calls it.
            await #expect(throws: StoredText.Invalid.self) {
                try await desk.auditTrail.append(actor: "olga", action: "hold", subject: "x", reason: "a\u{0}b", counts: [:], at: Date())
            }
            // Text that is fine is stored exactly as hashed, non-ASCII included.
            _ = try await desk.hold(.customer, "ana", reason: "Anfrage Nr. 7 — Zoë, 東京", officer: "olga")
            #expect(try await desk.holds(activeOnly: true).map(\.reason) == ["Anfrage Nr. 7 — Zoë, 東京"])
            #expect(try await desk.auditTrail.verify(expectedHead: nil) == .intact(entries: 1, head: try await desk.auditTrail.entries().last!.hash))
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
            await #expect(throws: RetentionOffice.Refusal.self) {
                try await office.desk.purge(.dates(from: fiveDaysAgo, to: fiveDaysAgo), reason: "r", officer: "o", reference: nil, dryRun: false)
            }
            let report = try await office.desk.purge(.dates(from: nil, to: fiveDaysAgo), reason: "clean-up", officer: "olga", reference: nil, dryRun: false)
            #expect(report.turns == 1 && report.recordings == 1)
            #expect(try await office.turns.turns(customerId: "ana").map(\.transcript) == ["today"])
        }
    }

    @Test(arguments: Backend.available)
    func aHoldOnAnOrderKeepsTheTurnsThatLedToIt(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            for words in ["a latte", "check out", "yes", "thanks"] { try await office.say(words, customerId: "ann", sessionId: "s1") }
            let line = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
            let order = try await office.shop.orders.place(
                .init(customerId: "ann", deviceId: "d1", lines: [line], total: line.total, idempotencyKey: "s1:1", source: "s1"), at: Date()
            ).order
            try await office.turns.link(sessionId: "s1", toOrder: order.id)
            try await office.say("one more", customerId: "ann", sessionId: "s1")  // after the order: not linked
            try await office.say("someone else", customerId: "bea", sessionId: "s2")
            let export = try await office.desk.export(customerId: "ann", reason: "access request", officer: "olga")
            #expect(export.manifest.orders.map(\.id) == [order.id] && export.manifest.utterances.count == 5 && export.audio.count == 5)
            #expect(export.manifest.utterances.filter { $0.orderId == order.id }.count == 4, "the turns that led to the order point at it")
            #expect(!export.manifest.utterances.contains { $0.transcript == "someone else" })
            try await office.desk.hold(.order, order.id, reason: "chargeback dispute", officer: "olga")
            let report = try await office.desk.purge(.session("s1"), reason: "purge", officer: "olga", reference: nil, dryRun: false)
            #expect(report.turns == 1 && report.heldTurns == 4 && report.recordings == 1 && report.heldRecordings == 4)
            #expect(try await office.turns.turns(customerId: "ann").compactMap(\.orderId) == Array(repeating: order.id, count: 4))
            #expect(try await office.desk.purge(.customer("ann"), reason: "erasure", officer: "olga", reference: nil, dryRun: false).deferred != nil)
        }
    }

    @Test(arguments: Backend.available)
    func badRequestsAreRefusedAndChangeNothing(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            try await office.say("a latte", customerId: "cy", sessionId: "s1")
            let desk = office.desk
            func kind(_ body: () async throws -> Void) async -> RetentionOffice.Refusal.Kind? {
                do { try await body() } catch let refusal as RetentionOffice.Refusal { return refusal.kind } catch { return nil }
                return nil
            }
            #expect(await kind { _ = try await desk.purge(.customer("cy"), reason: " ", officer: "olga", reference: nil, dryRun: false) } == .invalid)
            #expect(await kind { _ = try await desk.purge(.customer("nobody"), reason: "x", officer: "olga", reference: nil, dryRun: false) } == .notFound)
            #expect(await kind { _ = try await desk.purge(.session("no-session"), reason: "x", officer: "olga", reference: nil, dryRun: false) } == .notFound)
            #expect(await kind { _ = try await desk.hold(.order, "no-order", reason: "x", officer: "olga") } == .notFound)
            #expect(await kind { _ = try await desk.hold(.customer, "cy", reason: "", officer: "olga") } == .invalid)
            #expect(await kind { _ = try await desk.release(holdId: "hold_nothing", reason: "x", officer: "olga") } == .notFound)
            #expect(await kind { _ = try await desk.export(customerId: "cy", reason: " ", officer: "olga") } == .invalid)
            let left = try await office.turns.turns(customerId: "cy").count, audited = try await desk.auditTrail.entries().count
            #expect(left == 1 && audited == 0)
        }
    }

    @Test(arguments: Backend.available)
    func eachDeviceClassIsSweptByItsOwnPeriodsAndEmptySessionsGo(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            try await office.say("a phone call", customerId: "ann", sessionId: "p1", daysAgo: 3, deviceClass: "phone")
            try await office.say("a speaker", customerId: "ann", sessionId: "k1", daysAgo: 3)
            let policy = RetentionPolicy(keep: nil, deviceClasses: ["phone": .init(audioDays: 1, transcriptDays: 2)])
            let swept = try await office.desk.sweep(policy: policy, now: Date(), actor: "system", dryRun: false)
            #expect(swept.transcripts == 1 && swept.recordings == 1, "the phone's turn and audio; the speaker's are within 30 and 90 days")
            #expect(try await office.turns.turns(customerId: "ann").map(\.transcript) == ["a speaker"])

            // An ended session, empty and past its period, goes with its conversation; orders never do.
            let device = try await office.shop.devices.register(
                name: "speaker", customerId: "bo", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker").device
            let session = try await office.shop.conversations.open(deviceId: device.id, channel: "voice")
            try await office.shop.conversations.close(sessionId: session.id, reason: "client_stop", utterances: 0, audioSeconds: 0)
            _ = try await office.shop.conversations.conversation(resuming: nil, customerId: "bo", initialState: "main")
            let later = try await office.desk.sweep(policy: .builtIn, now: Date().addingTimeInterval(400 * 86_400), actor: "system", dryRun: false)
            #expect(later.sessions == 1 && later.conversations >= 1)
            #expect(try await office.shop.conversations.session(id: session.id) == nil)
        }
    }

    @Test(arguments: Backend.available)
    func aChangedPolicyIsAuditedOnce(_ backend: Backend) async throws {
        try await Office.with(backend) { office in
            let policy = try RetentionPolicy.parse("recordAudio: false\nkeep: {transcriptDays: 10}")
            #expect(try await office.desk.notePolicy(policy, source: "test", actor: "olga"))
            #expect(try await !office.desk.notePolicy(policy, source: "test", actor: "olga"), "unchanged: not audited again")
            #expect(try await office.desk.notePolicy(.builtIn, source: "test", actor: "olga"))
            #expect(try await office.desk.auditTrail.entries().map(\.action) == ["policy_change", "policy_change"])
        }
    }
}
