import ArgumentParser
import Foundation
import Grammar
import Store

struct BenchSweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Sweep throughput: recordings purged per second from a store of N expired utterances.",
        discussion: """
            Builds a scratch data directory (deleted afterwards) with N stored utterances — sealed
            transcripts and sealed Ogg Opus recordings of a real recording, spread over 50
            customers and 500 sessions, 100 days old: past the built-in audio (30 days) and
            transcript (90 days) periods — then times
            one sweep (rows deleted with secure_delete, files overwritten and removed, WAL
            truncated, audited) and checks that nothing is left.
            Example: talkshop bench sweep --utterances 10000
            """)

    @Option(help: "Stored utterances to sweep.") var utterances = 10_000
    @Option(help: "An Ogg Opus recording to store for each utterance.") var recording = "audio-fixtures/large-latte.opus"

    func run() async throws {
        let audio = try [UInt8](Data(contentsOf: URL(fileURLWithPath: recording)))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-bench-sweep-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
        let recorder = try SQLiteTurnStorage.open(database: database, dataDirectory: directory)
        let desk = RetentionOffice(sqlite: recorder, audit: SQLiteAuditStorage(database: database, headFile: SQLiteAuditStorage.headFile(in: directory)))

        let sessions = SQLiteConversationStorage(database: database)
        let devices = SQLiteDeviceStorage(database: database)
        let old = Date().addingTimeInterval(-100 * 86_400)
        var places: [(conversation: String, session: String, customer: String, device: String)] = []
        for index in 0..<500 {
            let customer = "bench-customer-\(index % 50)"
            let device = try devices.register(name: "speaker \(index)", customerId: customer).device
            let conversation = try sessions.conversation(resuming: nil, customerId: customer, initialState: DialogState.main.rawValue)
            places.append((conversation.id, try sessions.open(deviceId: device.id, channel: "voice").id, customer, device.id))
        }
        let storeStart = ContinuousClock.now
        for index in 0..<utterances {
            let place = places[index % places.count]
            let turn = Turn(
                conversationId: place.conversation, sessionId: place.session, customerId: place.customer, deviceClass: "speaker",
                transcript: "i'd like a large latte please \(index)", intent: "orderDrink", confidence: 0.97, outcome: "accepted", createdAt: old)
            try recorder.record(turn, audio: .init(oggOpus: audio, durationSeconds: 1.5, deviceId: place.device))
            if (index + 1) % 2_000 == 0 { Console.progress("stored \(index + 1)/\(utterances) utterances") }
        }
        let storeSeconds = (ContinuousClock.now - storeStart).seconds
        let bytes = try FileManager.default.contentsOfDirectory(atPath: recorder.directory.path).count

        let sweepStart = ContinuousClock.now
        let report = try await desk.sweep(policy: .builtIn, actor: "bench")
        let sweepSeconds = (ContinuousClock.now - sweepStart).seconds
        let filesLeft = try FileManager.default.contentsOfDirectory(atPath: recorder.directory.path).count
        let rowsLeft = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM recording") ?? -1 }
        print("""
            stored: \(utterances) utterances (\(bytes) sealed recording files of \(audio.count) bytes of Ogg Opus) in \(String(format: "%.1f", storeSeconds)) s
            sweep: \(report.recordings) recordings and \(report.transcripts) transcripts purged in \(String(format: "%.2f", sweepSeconds)) s \
            = \(Int(Double(report.recordings) / sweepSeconds)) recordings/s
            left after the sweep: \(rowsLeft) recording rows, \(filesLeft) files
            """)
        guard report.recordings == utterances, report.transcripts == utterances, rowsLeft == 0, filesLeft == 0 else { throw UsageError("the sweep left data behind") }
    }
}
