import Commerce
import Foundation
import GRDB
import Store

/// A data directory on disk — database, key vault, recordings, audit head — with helpers to
/// store utterances and to scan every file byte by byte.
struct RetentionFixture {
    var directory: URL
    var database: AppDatabase
    var recorder: SQLiteTurnStorage
    var desk: RetentionOffice
    var audit: SQLiteAuditStorage
    var sessions: SQLiteConversationStorage

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-retention-\(UUID())")
        database = try AppDatabase.open(at: directory.appendingPathComponent("talkshop.sqlite"))
        recorder = try SQLiteTurnStorage.open(database: database, dataDirectory: directory)
        audit = SQLiteAuditStorage(database: database, headFile: directory.appendingPathComponent("audit-head"))
        desk = RetentionOffice(sqlite: recorder, audit: audit)
        sessions = SQLiteConversationStorage(database: database)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    struct Stored {
        var sessionId: String
        var turnIds: [Int64]
    }

    /// Stores `count` utterances for the customer in one new session: transcripts carrying
    /// `marker`, and audio whose bytes carry it too.
    @discardableResult
    func store(
        customer: String, marker: String, count: Int = 10, at createdAt: Date = Date(), deviceClass: String = "speaker", audio: Bool = true
    ) throws -> Stored {
        let book = SQLiteCustomerStorage(database: database)
        if try book.customer(customer) == nil { try book.add(.init(id: customer, name: customer)) }
        let device = try SQLiteDeviceStorage(database: database).register(name: "speaker", customerId: customer, deviceClass: deviceClass).device
        let conversation = try sessions.conversation(resuming: nil, customerId: customer, initialState: "main")
        let session = try sessions.open(deviceId: device.id, channel: "voice")
        var ids: [Int64] = []
        for index in 0..<count {
            let turn = Turn(
                conversationId: conversation.id, sessionId: session.id, customerId: customer, deviceClass: deviceClass,
                transcript: "i want a latte \(marker) \(index)", intent: "orderDrink", confidence: 0.9, outcome: "accepted", createdAt: createdAt)
            let bytes = Array("OggS".utf8) + Array(repeating: Array("\(marker)-audio-\(index)".utf8), count: 20).flatMap { $0 }
            let stored = try recorder.record(turn, audio: audio ? .init(oggOpus: bytes, durationSeconds: 1, deviceId: device.id) : nil)
            ids.append(stored.id!)
        }
        try sessions.close(sessionId: session.id, reason: "done", utterances: count, audioSeconds: Double(count))
        return Stored(sessionId: session.id, turnIds: ids)
    }

    /// Byte patterns that only this customer's stored data contains: their sealed
    /// transcripts as stored in the database and the start of each sealed recording file.
    func sealedPatterns(of customer: String) throws -> [[UInt8]] {
        let transcripts = try database.writer.read { db in
            try Data.fetchAll(db, sql: "SELECT sealedTranscript FROM turn WHERE customerId = ?", arguments: [customer])
        }
        let files = try recorder.recordings(customerId: customer).map { try Data(contentsOf: recorder.file($0.id)).prefix(48) }
        return (transcripts + files).map { [UInt8]($0) }
    }

    /// Files (relative paths) anywhere in the data directory that contain the pattern.
    func filesContaining(_ pattern: [UInt8]) throws -> [String] {
        try filesContainingAny(of: [pattern])
    }

    /// Files that contain at least one of the patterns; each file is read once and searched
    /// by the patterns' first 8 bytes through a hash set, then confirmed in full.
    func filesContainingAny(of patterns: [[UInt8]]) throws -> [String] {
        var byPrefix: [UInt64: [[UInt8]]] = [:]
        for pattern in patterns where pattern.count >= 8 { byPrefix[Self.word(pattern, 0), default: []].append(pattern) }
        precondition(byPrefix.values.reduce(0) { $0 + $1.count } == patterns.count, "patterns need at least 8 bytes")
        let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])!
        var found: [String] = []
        for case let url as URL in enumerator where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            let bytes = [UInt8](try Data(contentsOf: url))
            if Self.contains(bytes, anyOf: byPrefix) { found.append(url.path.replacingOccurrences(of: directory.path + "/", with: "")) }
        }
        return found
    }

    private static func contains(_ bytes: [UInt8], anyOf byPrefix: [UInt64: [[UInt8]]]) -> Bool {
        guard bytes.count >= 8 else { return false }
        var word = Self.word(bytes, 0)
        for offset in 0...(bytes.count - 8) {
            if offset > 0 { word = word << 8 | UInt64(bytes[offset + 7]) }
            guard let candidates = byPrefix[word] else { continue }
            for pattern in candidates where offset + pattern.count <= bytes.count {
                if bytes[offset..<(offset + pattern.count)].elementsEqual(pattern) { return true }
            }
        }
        return false
    }

    private static func word(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
        var word: UInt64 = 0
        for index in offset..<(offset + 8) { word = word << 8 | UInt64(bytes[index]) }
        return word
    }

    func count(_ table: String, customer: String) throws -> Int {
        try database.writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE customerId = ?", arguments: [customer]) ?? -1 }
    }

    static let catalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 3)
    ])

    /// Places a one-latte order for the customer; returns its id.
    func placeOrder(customer: String) throws -> String {
        try SQLiteCatalogStorage(database: database).seedIfEmpty(with: Self.catalog)
        let line = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
        let placement = OrderPlacement(
            customerId: customer, deviceId: "d1", lines: [line], total: line.total, idempotencyKey: UUID().uuidString, source: "test",
            fingerprints: [])
        return try SQLiteOrderStorage(database: database).place(placement).order.id
    }
}
