import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// Request and response bodies of the admin API (docs/admin-openapi.yaml).
struct HoldRequest: Decodable {
    var scope: String
    var subject: String
    var reason: String
}

struct ReasonRequest: Decodable {
    var reason: String
}

struct SweepRequest: Decodable {
    var dryRun: Bool?
}

struct PurgeRequest: Decodable {
    var customer: String?
    var session: String?
    /// Dates as 2026-01-31 or full ISO 8601; `to` alone purges everything before it.
    var from: String?
    var to: String?
    var reason: String
    var reference: String?
    var dryRun: Bool?

    func selection() throws -> RetentionOffice.Selection {
        let given = [customer != nil, session != nil, to != nil].filter { $0 }.count
        guard given == 1, from == nil || to != nil else {
            throw RetentionOffice.Refusal(description: "give exactly one of customer, session or to (with an optional from)")
        }
        if let customer { return .customer(customer) }
        if let session { return .session(session) }
        return .dates(from: try from.map(RetentionOffice.date), to: try RetentionOffice.date(to!))
    }
}

struct PurgeResponse: Encodable {
    var dryRun: Bool
    var turns: Int
    var recordings: Int
    var heldTurns: Int
    var heldRecordings: Int
    var keyDestroyed: Bool
    /// An erasure blocked by holds: its request id (nil in a dry run) and the holds.
    var deferredRequest: String?
    var blockingHolds: [String]

    init(_ report: RetentionOffice.Report) {
        dryRun = report.dryRun
        turns = report.turns
        recordings = report.recordings
        heldTurns = report.heldTurns
        heldRecordings = report.heldRecordings
        keyDestroyed = report.keyDestroyed
        deferredRequest = report.deferred?.id
        blockingHolds = report.blockingHolds
    }
}

struct ReleaseResponse: Encodable {
    var hold: LegalHold
    /// Erasure requests this release let run.
    var erasures: [PurgeResponse]
}

struct ExportResponse: Encodable {
    var manifest: CustomerExport
    /// Ogg Opus bytes, base64, by the file names the manifest uses.
    var recordings: [String: String]
}

struct VerifyResponse: Encodable {
    var intact: Bool
    var entries: Int?
    var head: String?
    var brokenAt: Int64?
    var reason: String?
}

/// The body of every refusal (`APIError`).
struct ErrorResponse: Encodable {
    var error: String
    var message: String
}
