import Foundation

/// What an officer asks for and is told: the selection of a purge, its report, a refusal.
extension RetentionOffice {
    public enum Selection: Sendable, Equatable, CustomStringConvertible {
        /// An erasure request: everything the customer said, and their key.
        case customer(String)
        case session(String)
        /// Recorded from `from` (inclusive; nil: the beginning) until `to` (exclusive).
        case dates(from: Date?, to: Date)

        public var description: String {
            switch self {
            case .customer(let id): "customer:\(id)"
            case .session(let id): "session:\(id)"
            case .dates(let from, let to): "dates:\(from.map(Self.format) ?? "")..\(Self.format(to))"
            }
        }

        package static func format(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
    }

    public struct Report: Sendable, Equatable {
        /// Transcribed turns and recordings purged (or, in a dry run, that would be).
        public var turns = 0
        public var recordings = 0
        /// Left alone because a hold covers them.
        public var heldTurns = 0
        public var heldRecordings = 0
        /// An erasure: whether the customer's key was destroyed.
        public var keyDestroyed = false
        /// An erasure blocked by holds: the recorded request (nil in a dry run) and the holds.
        public var deferred: ErasureRequest?
        public var blockingHolds: [String] = []
        public var dryRun = false

        public init(dryRun: Bool = false) { self.dryRun = dryRun }

        init(_ deletion: Deletion, dryRun: Bool) {
            self.init(dryRun: dryRun)
            turns = deletion.turns
            recordings = deletion.recordings
            heldTurns = deletion.heldTurns
            heldRecordings = deletion.heldRecordings
        }
    }

    /// An officer's request: a reason given, and every text of it (`others`: field name and
    /// value, such as the subject's id or a reference) storable exactly as it is hashed into
    /// the audit trail. `what`: "a hold", "a purge", … for the refusal's words.
    public static func checkRequest(reason: String, for what: String, _ others: KeyValuePairs<String, String?> = [:]) throws(Refusal) {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw Refusal(description: "\(what) needs a reason") }
        for (field, value) in [("reason", reason)] + others.map({ ($0.key, $0.value) }) {
            guard let value, let scalar = StoredText.refusedScalar(in: value) else { continue }
            throw Refusal(description: StoredText.Invalid(field: field, scalar: scalar).description)
        }
    }

    /// Why an officer's request was not (fully) carried out; nothing changed unless `kind`
    /// is `.incomplete`.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The request is malformed or lacks a reason.
            case invalid
            /// No such customer, session, order or hold.
            case notFound
            /// A legal hold covers it.
            case held
            /// Committed, but not yet gone from the files (a WAL not truncated, a key table not
            /// rewritten): run it again.
            case incomplete
        }

        public var description: String
        public var kind: Kind = .invalid

        public init(description: String, kind: Kind = .invalid) {
            self.description = description
            self.kind = kind
        }
    }

    /// "2026-01-31" (midnight UTC) or a full ISO 8601 time such as "2026-01-31T12:00:00Z".
    public static func date(_ text: String) throws -> Date {
        if let date = ISO8601DateFormatter().date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if let date = day.date(from: text) { return date }
        throw Refusal(description: "'\(text)' is not a date like 2026-01-31 or 2026-01-31T12:00:00Z")
    }
}

extension RetentionOffice.Report {
    /// For the audit trail.
    package var counts: [String: Int] {
        ["turns": turns, "recordings": recordings, "held_turns": heldTurns, "held_recordings": heldRecordings]
    }
}
