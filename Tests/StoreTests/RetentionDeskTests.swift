import Foundation
import GRDB
import Store
import Testing

/// Purges and erasures leave no trace in the database file, its WAL, its shared memory or
/// the recording files; holds block them; a pre-erasure copy stays unreadable; every step is
/// audited.
struct RetentionDeskTests {
    @Test func storedWordsAndAudioAreSealedNeverInClear() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        let marker = "CLEAR-\(UUID().uuidString)"
        try fixture.store(customer: "ann", marker: marker, count: 3)
        #expect(try fixture.filesContaining(Array(marker.utf8)).isEmpty, "words and audio are encrypted at rest")
        let turns = try fixture.recorder.turns(customerId: "ann")
        #expect(turns.map(\.transcript) == (0..<3).map { "i want a latte \(marker) \($0)" })
        let audio = try fixture.recorder.audio(of: try #require(fixture.recorder.recordings(customerId: "ann").first))
        #expect(String(decoding: audio, as: UTF8.self).contains("\(marker)-audio-"))
    }

    @Test func anErasedCustomersDataIsGoneFromEveryFileByteForByte() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        try fixture.store(customer: "erase-me", marker: "E", count: 20)
        try fixture.store(customer: "keep-me", marker: "K", count: 5)
        let gone = try fixture.sealedPatterns(of: "erase-me"), kept = try fixture.sealedPatterns(of: "keep-me")
        #expect(gone.count == 40)
        for pattern in gone.prefix(3) + gone.suffix(3) {
            #expect(!(try fixture.filesContaining(pattern)).isEmpty, "the scan must be able to find what it looks for")
        }

        let dry = try await fixture.desk.purge(.customer("erase-me"), reason: "erasure request", officer: "olga", reference: "E-1", dryRun: true)
        #expect(dry.turns == 20 && dry.recordings == 20 && dry.keyDestroyed && dry.dryRun)
        #expect(try fixture.count("recording", customer: "erase-me") == 20, "a dry run changes nothing")

        let report = try await fixture.desk.purge(.customer("erase-me"), reason: "erasure request", officer: "olga", reference: "E-1")
        #expect(report.turns == 20 && report.recordings == 20 && report.keyDestroyed)
        let left = try fixture.filesContainingAny(of: gone)
        #expect(left.isEmpty, "found in \(left)")
        for pattern in kept.prefix(3) { #expect(!(try fixture.filesContaining(pattern)).isEmpty, "another customer's data stays") }
        let wal = try FileManager.default.attributesOfItem(atPath: fixture.directory.appendingPathComponent("talkshop.sqlite-wal").path)
        #expect(wal[.size] as? Int == 0)
        #expect(!fixture.recorder.vault.hasKey("erase-me") && fixture.recorder.vault.hasKey("keep-me"))
        let last = try #require(try fixture.audit.entries().last)
        #expect(last.action == "erasure" && last.subject == "customer:erase-me" && last.reason == "erasure request [ref E-1]")
        #expect(last.countsJSON == #"{"held_recordings":0,"held_turns":0,"keys_destroyed":1,"recordings":20,"turns":20}"#)
    }

    @Test func aCopyTakenBeforeAnErasureCannotBeReadForThatCustomer() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        try fixture.store(customer: "erase-me", marker: "E", count: 4)
        try fixture.store(customer: "keep-me", marker: "K", count: 2)
        // A backup of the database and the recordings (not of the key vault, which is kept apart).
        let backup = fixture.directory.deletingLastPathComponent().appendingPathComponent("talkshop-backup-\(UUID())")
        defer { try? FileManager.default.removeItem(at: backup) }
        try FileManager.default.createDirectory(at: backup, withIntermediateDirectories: true)
        try await fixture.database.writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        for name in ["talkshop.sqlite", "recordings"] {
            try FileManager.default.copyItem(at: fixture.directory.appendingPathComponent(name), to: backup.appendingPathComponent(name))
        }
        try await fixture.desk.purge(.customer("erase-me"), reason: "erasure request", officer: "olga", reference: "E-7")

        let restored = try AppDatabase.open(at: backup.appendingPathComponent("talkshop.sqlite"))
        let reader = SQLiteTurnStorage(database: restored, vault: fixture.recorder.vault, directory: backup.appendingPathComponent("recordings"))
        #expect(try await restored.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM turn WHERE customerId = 'erase-me'") } == 4,
                "the copy still has the rows")
        #expect(throws: KeyVault.Failure.noKey(customerId: "erase-me")) { try reader.turns(customerId: "erase-me") }
        for recording in try reader.recordings(customerId: "erase-me") {
            #expect(throws: KeyVault.Failure.noKey(customerId: "erase-me")) { try reader.audio(of: recording) }
        }
        #expect(try reader.turns(customerId: "keep-me").count == 2, "other customers in the copy stay readable")
    }

    @Test func aHoldBlocksPurgeAndDefersErasureUntilReleased() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        let held = try fixture.store(customer: "held", marker: "H", count: 5)
        try fixture.store(customer: "free", marker: "F", count: 3)
        let hold = try await fixture.desk.hold(.customer, "held", reason: "litigation L-9", officer: "olga")

        let erasure = try await fixture.desk.purge(.customer("held"), reason: "erasure request", officer: "olga", reference: "E-3")
        let request = try #require(erasure.deferred)
        #expect(erasure.blockingHolds == [hold.id] && fixture.recorder.vault.hasKey("held"))
        #expect(try fixture.count("turn", customer: "held") == 5 && fixture.count("recording", customer: "held") == 5)
        await #expect(throws: RetentionOffice.Refusal.self) { try await fixture.desk.purge(.session(held.sessionId), reason: "purge", officer: "olga") }
        let byDate = try await fixture.desk.purge(.dates(from: nil, to: Date().addingTimeInterval(60)), reason: "policy", officer: "olga")
        #expect(byDate.turns == 3 && byDate.heldTurns == 5 && byDate.recordings == 3 && byDate.heldRecordings == 5)
        #expect(try await fixture.desk.pendingErasures().map(\.id) == [request.id])

        let (_, erasures) = try await fixture.desk.release(holdId: hold.id, reason: "case closed", officer: "olga")
        #expect(erasures.count == 1 && erasures[0].turns == 5 && erasures[0].recordings == 5 && erasures[0].keyDestroyed)
        #expect(try await fixture.desk.pendingErasures().isEmpty && fixture.count("turn", customer: "held") == 0)
        await #expect(throws: RetentionOffice.Refusal.self) { try await fixture.desk.release(holdId: hold.id, reason: "again", officer: "olga") }
        #expect(try fixture.audit.entries().map(\.action) == ["hold", "erasure_deferred", "purge", "release", "erasure"])
        guard case .intact = try fixture.audit.verify() else {
            Issue.record("the trail should verify")
            return
        }
    }

    @Test func aHoldOnAnOrderKeepsTheTurnsThatLedToIt() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        let stored = try fixture.store(customer: "ann", marker: "A", count: 4)
        let order = try fixture.placeOrder(customer: "ann")
        try fixture.recorder.link(turnIds: Array(stored.turnIds.prefix(2)), toOrder: order)
        try await fixture.desk.hold(.order, order, reason: "chargeback dispute", officer: "olga")
        let report = try await fixture.desk.purge(.session(stored.sessionId), reason: "purge", officer: "olga")
        #expect(report.turns == 2 && report.heldTurns == 2 && report.recordings == 2 && report.heldRecordings == 2)
        #expect(try fixture.recorder.turns(customerId: "ann").compactMap(\.orderId) == [order, order])
        #expect(try await fixture.desk.purge(.customer("ann"), reason: "erasure", officer: "olga").deferred != nil)
    }

    @Test func badRequestsAreRefusedAndChangeNothing() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        try fixture.store(customer: "c", marker: "M", count: 2)
        func kind(_ body: () async throws -> Void) async -> RetentionOffice.Refusal.Kind? {
            do { try await body() } catch let refusal as RetentionOffice.Refusal { return refusal.kind } catch { return nil }
            return nil
        }
        #expect(await kind { _ = try await fixture.desk.purge(.customer("c"), reason: " ", officer: "olga") } == .invalid)
        #expect(await kind { _ = try await fixture.desk.purge(.customer("nobody"), reason: "x", officer: "olga") } == .notFound)
        #expect(await kind { _ = try await fixture.desk.purge(.session("no-session"), reason: "x", officer: "olga") } == .notFound)
        #expect(await kind { try await fixture.desk.hold(.order, "no-order", reason: "x", officer: "olga") } == .notFound)
        #expect(await kind { _ = try await fixture.desk.release(holdId: "hold_nothing", reason: "x", officer: "olga") } == .notFound)
        #expect(await kind { _ = try RetentionOffice.date("last tuesday") } == .invalid)
        let now = Date()
        #expect(await kind { _ = try await fixture.desk.purge(.dates(from: now, to: now), reason: "x", officer: "olga") } == .invalid)
        #expect(try fixture.count("turn", customer: "c") == 2 && fixture.audit.entries().isEmpty)
    }
}
