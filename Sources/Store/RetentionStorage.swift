import Commerce
import Foundation

/// What the retention rules (`RetentionOffice`) need from a backend: narrow reads and writes
/// of holds, erasure requests, turns and recordings, each one unit of work. The rules — what
/// a hold blocks or defers, which rows a purge, erasure or sweep selects, what is audited and
/// in which order — are the office's; a backend only says how a selection is found and
/// deleted in its own SQL, and what "gone" takes there (`compact`).
///
/// `SQLiteRetentionStorage` keeps one node's file and data directory; `PostgresRetentionStorage`
/// the shared database.
public protocol RetentionStorage: Sendable {
    // MARK: Holds

    func holds(activeOnly: Bool) async throws -> [LegalHold]
    func insert(_ hold: LegalHold) async throws
    /// Marks an active hold released; what stood in the way if it could not.
    func release(holdId: String, by officer: String, at now: Date) async throws -> HoldRelease
    /// Active holds on the customer, on any of their sessions or on any of their orders.
    func holdsCovering(customerId: String) async throws -> [LegalHold]
    /// An active hold on the session or on the customer it belongs to.
    func holdCovering(sessionId: String) async throws -> LegalHold?
    /// Whether anything is known by this id: a hold or a purge on nothing is a mistake.
    func exists(_ scope: LegalHold.Scope, _ id: String) async throws -> Bool

    // MARK: Erasure requests

    func pendingErasures() async throws -> [ErasureRequest]
    func insert(_ request: ErasureRequest) async throws
    /// In one transaction: the customer's turns, recordings and conversations deleted, their
    /// analytics anonymised, their key destroyed and the request marked done at `now`.
    func carryOut(_ request: ErasureRequest, at now: Date) async throws -> Erasure
    func hasKey(customerId: String) async throws -> Bool

    // MARK: Deletion

    /// Counts the turns and recordings `rows` selects, held and not, and unless `dryRun`
    /// deletes the ones no hold covers (and the recordings of the turns deleted).
    func deleteUnheld(_ rows: RetainedRows, dryRun: Bool) async throws -> Deletion
    /// Ended sessions of the class that ended before `before`, nothing held or left in them.
    func deleteEndedSessions(_ deviceClass: DeviceClassRows, endedBefore before: Date, dryRun: Bool) async throws -> Int
    /// Conversations untouched since `before`, with no turn or session left and no hold on the customer.
    func deleteIdleConversations(updatedBefore before: Date, dryRun: Bool) async throws -> Int
    /// Makes committed deletions unrecoverable here: on SQLite the WAL truncated, on
    /// PostgreSQL the tables vacuumed. Throws `RetentionOffice.Refusal` (`.incomplete`) if it
    /// could not finish.
    func compact() async throws

    // MARK: Reads

    /// The subject of the last policy change audited.
    func lastPolicySubject() async throws -> String?
    /// Everything held about the customer, for an export; the recordings' Ogg Opus bytes by id.
    func holdings(customerId: String) async throws -> CustomerHoldings
}

/// A release that found its hold, or why not.
public enum HoldRelease: Sendable, Equatable {
    case released(LegalHold)
    case alreadyReleased
    case notFound
}

/// The turns and recordings a purge, an erasure or a sweep selects.
public enum RetainedRows: Sendable, Equatable {
    case session(String)
    case customer(String)
    /// Recorded from `from` (inclusive; nil: the beginning) until `to` (exclusive).
    case recorded(from: Date?, to: Date)
    /// One device class's rows past its periods: transcripts made before `transcriptsBefore`,
    /// recordings before `recordingsBefore`.
    case expired(DeviceClassRows, transcriptsBefore: Date, recordingsBefore: Date)
}

/// The rows of one device class, or (`others`) of every class without periods of its own.
public enum DeviceClassRows: Sendable, Equatable {
    case named(String)
    /// No class, or one not in `except`.
    case others(except: [String])
}

/// What a deletion found: turns and recordings going (or, in a dry run, that would go) and
/// those a hold keeps.
public struct Deletion: Sendable, Equatable {
    public var turns = 0
    public var recordings = 0
    public var heldTurns = 0
    public var heldRecordings = 0

    public init(turns: Int = 0, recordings: Int = 0, heldTurns: Int = 0, heldRecordings: Int = 0) {
        self.turns = turns
        self.recordings = recordings
        self.heldTurns = heldTurns
        self.heldRecordings = heldRecordings
    }
}

/// What an erasure removed; `unfinished` says why it is not yet complete (the erasure
/// stands and can be run again).
public struct Erasure: Sendable, Equatable {
    public var turns = 0
    public var recordings = 0
    public var keyDestroyed = false
    public var unfinished: String?

    public init(turns: Int = 0, recordings: Int = 0, keyDestroyed: Bool = false, unfinished: String? = nil) {
        self.turns = turns
        self.recordings = recordings
        self.keyDestroyed = keyDestroyed
        self.unfinished = unfinished
    }
}

/// Everything held about one customer, as stored.
public struct CustomerHoldings: Sendable {
    public var person: Customer?
    public var orders: [(OrderRecord, [OrderEvent])]
    public var turns: [Turn]
    public var recordings: [Recording]
    /// Ogg Opus bytes by recording id.
    public var audio: [String: Data]

    public init(person: Customer?, orders: [(OrderRecord, [OrderEvent])], turns: [Turn], recordings: [Recording], audio: [String: Data]) {
        self.person = person
        self.orders = orders
        self.turns = turns
        self.recordings = recordings
        self.audio = audio
    }
}
