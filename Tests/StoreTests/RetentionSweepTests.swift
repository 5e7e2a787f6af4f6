import Foundation
import GRDB
import Store
import Testing

/// The retention policy: what a sweep removes and keeps, holds and expiry, the policy file,
/// and the access-request export.
struct RetentionSweepTests {
    static let day: TimeInterval = 86_400

    @Test func aSweepRemovesWhatIsPastItsPeriodPerDeviceClassAndNothingElse() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        let now = Date()
        try fixture.store(customer: "old", marker: "O", count: 4, at: now - 40 * Self.day)        // audio expired, words kept
        try fixture.store(customer: "older", marker: "X", count: 3, at: now - 100 * Self.day)   // both expired
        try fixture.store(customer: "new", marker: "N", count: 2, at: now - 1 * Self.day)
        try fixture.store(customer: "caller", marker: "P", count: 2, at: now - 10 * Self.day, deviceClass: "phone")
        let gone = try fixture.sealedPatterns(of: "older")
        let policy = try RetentionPolicy.parse("""
            keep: {audioDays: 30, transcriptDays: 90, sessionDays: 365}
            deviceClasses:
              phone: {audioDays: 7}
            """)

        let dry = try await fixture.desk.sweep(policy: policy, now: now, dryRun: true)
        #expect(dry.recordings == 9 && dry.transcripts == 3 && dry.dryRun)
        let report = try await fixture.desk.sweep(policy: policy, now: now)
        #expect(report.recordings == 9 && report.transcripts == 3, "4 + 3 past 30 days, 2 phone past 7 days; 3 turns past 90 days")
        #expect(try fixture.count("recording", customer: "old") == 0 && fixture.count("turn", customer: "old") == 4)
        #expect(try fixture.count("recording", customer: "new") == 2 && fixture.count("recording", customer: "caller") == 0)
        #expect(try fixture.count("turn", customer: "caller") == 2, "the phone class overrides audio only; transcripts use the shop's period")
        #expect(try fixture.filesContainingAny(of: gone).isEmpty, "sentinel after a sweep")
        #expect(try fixture.audit.entries().last?.action == "sweep")
        #expect(try await fixture.desk.sweep(policy: policy, now: now).recordings == 0, "a second sweep finds nothing")
    }

    @Test func ordersOutliveTheirAudioAndLoseTheLink() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        let stored = try fixture.store(customer: "ann", marker: "A", count: 2, at: Date() - 200 * Self.day)
        let order = try fixture.placeOrder(customer: "ann")
        try fixture.recorder.link(turnIds: stored.turnIds, toOrder: order)
        let report = try await fixture.desk.sweep(policy: .builtIn)
        #expect(report.recordings == 2 && report.transcripts == 2)
        #expect(try SQLiteOrderStorage(database: fixture.database).order(order) != nil)
        let links = try await fixture.database.writer.read { db in
            try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM turn WHERE orderId = ?) + (SELECT COUNT(*) FROM recording WHERE orderId = ?)",
                             arguments: [order, order])
        }
        #expect(links == 0)
    }

    @Test func aHoldBlocksTheSweepAndReleaseRestoresTheOriginalExpiry() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        let recordedAt = Date() - 20 * Self.day
        try fixture.store(customer: "ann", marker: "A", count: 3, at: recordedAt)
        let hold = try await fixture.desk.hold(.customer, "ann", reason: "case 4", officer: "olga")
        let afterExpiry = recordedAt + 31 * Self.day
        let held = try await fixture.desk.sweep(policy: .builtIn, now: afterExpiry)
        #expect(held.recordings == 0 && held.heldRecordings == 3)
        try await fixture.desk.release(holdId: hold.id, reason: "case closed", officer: "olga")
        #expect(try await fixture.desk.sweep(policy: .builtIn, now: recordedAt + 29 * Self.day).recordings == 0, "not yet expired after release")
        #expect(try await fixture.desk.sweep(policy: .builtIn, now: afterExpiry).recordings == 3, "expires at recording + 30 days, as before the hold")
    }

    @Test func endedSessionsGoAfterTheirPeriodOnceEmpty() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        try fixture.store(customer: "ann", marker: "A", count: 1, at: Date() - 100 * Self.day)
        let later = Date() + 400 * Self.day
        let report = try await fixture.desk.sweep(policy: .builtIn, now: later)
        #expect(report.sessions == 1 && report.conversations == 1)
    }

    @Test func thePolicyFileIsCheckedAndChangesAreAudited() async throws {
        #expect(throws: RetentionPolicy.Invalid.self) { try RetentionPolicy.parse("keep: {audioDayz: 3}") }
        #expect(throws: RetentionPolicy.Invalid.self) { try RetentionPolicy.parse("keep: {audioDays: -1}") }
        #expect(throws: RetentionPolicy.Invalid.self) { try RetentionPolicy.parse("colour: blue") }
        #expect(throws: RetentionPolicy.Invalid.self) { try RetentionPolicy.parse("deviceClasses: {phone: {audio: 7}}") }
        let policy = try RetentionPolicy.parse("recordAudio: false\nkeep: {transcriptDays: 10}\ndeviceClasses: {phone: {audioDays: 2}}")
        #expect(!policy.storesAudio)
        #expect(policy.periods(for: "phone") == (2, 10, 365) && policy.periods(for: "speaker") == (30, 10, 365))
        let shipped = try RetentionPolicy.load(from: URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../retention.yaml").standardized)
        #expect(shipped.digest == RetentionPolicy.builtIn.digest, "retention.yaml documents the built-in policy")

        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        #expect(try await fixture.desk.notePolicy(policy, source: "test", actor: "olga"))
        #expect(try await !fixture.desk.notePolicy(policy, source: "test", actor: "olga"), "unchanged: not audited again")
        #expect(try await fixture.desk.notePolicy(.builtIn, source: "test", actor: "olga"))
        #expect(try fixture.audit.entries().map(\.action) == ["policy_change", "policy_change"])
    }

    @Test func anExportHoldsTheCustomersOrdersWordsAndAudioAndNobodyElses() async throws {
        let fixture = try RetentionFixture()
        defer { fixture.remove() }
        let stored = try fixture.store(customer: "ann", marker: "ANN", count: 3)
        try fixture.store(customer: "bob", marker: "BOB", count: 2)
        let order = try fixture.placeOrder(customer: "ann")
        try fixture.recorder.link(turnIds: [stored.turnIds[0]], toOrder: order)
        let folder = fixture.directory.appendingPathComponent("export")
        let manifest = try await fixture.desk.export(customerId: "ann", to: folder, reason: "access request A-1", officer: "olga")

        #expect(manifest.orders.map(\.id) == [order] && manifest.orders[0].total == "USD 4.25")
        #expect(manifest.utterances.count == 3 && manifest.utterances[0].orderId == order)
        #expect(manifest.utterances.allSatisfy { $0.transcript?.contains("ANN") == true })
        #expect(manifest.recordings.count == 3)
        for utterance in manifest.utterances {
            let file = try #require(utterance.recording)
            let bytes = try Data(contentsOf: folder.appendingPathComponent("recordings").appendingPathComponent(file))
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("OggSANN-audio-"))
        }
        let json = try String(contentsOf: folder.appendingPathComponent("manifest.json"), encoding: .utf8)
        #expect(json.contains("\"exportedAt\"") && !json.contains("BOB"))
        let last = try #require(try fixture.audit.entries().last)
        #expect(last.action == "export" && last.countsJSON == #"{"orders":1,"recordings":3,"utterances":3}"#)
        await #expect(throws: RetentionOffice.Refusal.self) { try await fixture.desk.export(customerId: "nobody", reason: "x", officer: "olga") }
    }
}
