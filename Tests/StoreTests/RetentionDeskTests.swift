import Foundation
import GRDB
import Store
import Testing

/// Purges leave no trace of the words in the database file, its WAL or its shared memory;
/// holds block them; every step is audited.
struct RetentionDeskTests {
    struct Fixture {
        var directory: URL
        var database: AppDatabase
        var desk: RetentionDesk
        var sessions: SessionLog
    }

    func fixture() throws -> Fixture {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-retention-\(UUID())")
        let database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
        let audit = AuditLog(database: database, headFile: directory.appendingPathComponent("audit-head"))
        return Fixture(directory: directory, database: database, desk: RetentionDesk(database: database, audit: audit),
                       sessions: SessionLog(database: database))
    }

    /// Stores `count` turns for the customer in one session; each transcript carries the marker.
    @discardableResult
    func storeTurns(_ fixture: Fixture, customer: String, marker: String, count: Int = 20) throws -> String {
        let conversation = try fixture.sessions.conversation(resuming: nil, customerId: customer, initialState: "main")
        let device = try DeviceRegistry(database: fixture.database).register(name: "speaker", customerId: customer).device
        let session = try fixture.sessions.open(deviceId: device.id, channel: "voice")
        for index in 0..<count {
            try fixture.sessions.record(Turn(
                conversationId: conversation.id, sessionId: session.id, transcript: "i want a latte \(marker) \(index)", intent: "orderDrink",
                confidence: 0.9, outcome: "accepted"))
        }
        return session.id
    }

    /// Every file of the database: the main file, the WAL and the shared-memory index.
    func occurrences(of marker: String, in fixture: Fixture) throws -> [String] {
        let needle = Array(marker.utf8)
        return try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path).filter { name in
            let bytes = [UInt8](try Data(contentsOf: fixture.directory.appendingPathComponent(name)))
            return bytes.count >= needle.count && (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
        }
    }

    @Test func aPurgedCustomersWordsAreGoneFromEveryFileByteForByte() throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let gone = "SENTINEL-\(UUID().uuidString)", kept = "KEEPER-\(UUID().uuidString)"
        try storeTurns(fixture, customer: "erase-me", marker: gone)
        try storeTurns(fixture, customer: "keep-me", marker: kept)
        #expect(!(try occurrences(of: gone, in: fixture)).isEmpty, "the scan must be able to find the marker")

        let dry = try fixture.desk.purge(.customer("erase-me"), reason: "erasure request E-1", officer: "olga", dryRun: true)
        #expect(dry.turns == 20 && dry.dryRun)
        #expect(!(try occurrences(of: gone, in: fixture)).isEmpty, "a dry run changes nothing")

        let report = try fixture.desk.purge(.customer("erase-me"), reason: "erasure request E-1", officer: "olga")
        #expect(report.turns == 20 && report.heldTurns == 0)
        let left = try occurrences(of: gone, in: fixture)
        #expect(left.isEmpty, "found in \(left)")
        #expect(!(try occurrences(of: kept, in: fixture)).isEmpty, "another customer's turns stay")
        let walSize = try FileManager.default.attributesOfItem(atPath: fixture.directory.appendingPathComponent("talkshop.sqlite-wal").path)[.size] as? Int
        #expect(walSize == 0)
        let last = try #require(try fixture.desk.audit.entries().last)
        #expect(last.action == "purge" && last.subject == "customer:erase-me" && last.countsJSON == "{\"held_turns\":0,\"turns\":20}")
        #expect(!last.reason.contains(gone))
    }

    @Test func aHoldBlocksPurgesUntilReleased() throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        let marker = "HELD-\(UUID().uuidString)"
        let session = try storeTurns(fixture, customer: "held", marker: marker, count: 5)
        try storeTurns(fixture, customer: "free", marker: "FREE-\(UUID().uuidString)", count: 3)
        let hold = try fixture.desk.hold(.customer, "held", reason: "litigation L-9", officer: "olga")

        #expect(throws: RetentionDesk.Refusal.self) { try fixture.desk.purge(.customer("held"), reason: "erasure", officer: "olga") }
        let byDate = try fixture.desk.purge(.before(Date().addingTimeInterval(60)), reason: "policy", officer: "olga")
        #expect(byDate.turns == 3 && byDate.heldTurns == 5, "the date purge skips held turns and says so")
        let bySession = try fixture.desk.purge(.session(session), reason: "session purge", officer: "olga")
        #expect(bySession.turns == 0 && bySession.heldTurns == 5)
        #expect(!(try occurrences(of: marker, in: fixture)).isEmpty)

        try fixture.desk.release(holdId: hold.id, reason: "case closed", officer: "olga")
        #expect(throws: RetentionDesk.Refusal.self) { try fixture.desk.release(holdId: hold.id, reason: "again", officer: "olga") }
        #expect(try fixture.desk.purge(.customer("held"), reason: "erasure", officer: "olga").turns == 5)
        #expect(try occurrences(of: marker, in: fixture).isEmpty)
        #expect(try fixture.desk.audit.entries().map(\.action) == ["hold", "purge", "purge", "release", "purge"])
        guard case .intact = try fixture.desk.audit.verify() else {
            Issue.record("the trail should verify")
            return
        }
    }

    @Test func aPurgeWithoutAReasonIsRefusedAndChangesNothing() throws {
        let fixture = try fixture()
        defer { try? FileManager.default.removeItem(at: fixture.directory) }
        try storeTurns(fixture, customer: "c", marker: "M", count: 2)
        #expect(throws: RetentionDesk.Refusal.self) { try fixture.desk.purge(.customer("c"), reason: " ", officer: "olga") }
        #expect(try fixture.desk.purge(.customer("c"), reason: "x", officer: "olga", dryRun: true).turns == 2)
        #expect(try fixture.desk.audit.entries().isEmpty)
    }
}
