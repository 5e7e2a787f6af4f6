import Commerce
import Foundation

/// Everything Talkshop holds about one customer, for an access request.
public struct CustomerExport: Codable, Sendable {
    public struct Person: Codable, Sendable {
        public var id: String
        public var name: String?
        public var createdAt: Date?
        public var audioConsent: Bool?
    }

    public struct Order: Codable, Sendable {
        public var id: String
        public var status: OrderStatus
        public var total: String
        public var lines: [Cart.Line]
        public var createdAt: Date
        public var trackingNumber: String?
        public var events: [Event]
    }

    public struct Event: Codable, Sendable {
        public var status: OrderStatus
        public var at: Date
        public var note: String?
    }

    public struct Utterance: Codable, Sendable {
        public var turnId: Int64
        public var at: Date
        public var sessionId: String
        public var transcript: String?
        public var intent: String?
        public var confidence: Double?
        public var outcome: String
        public var orderId: String?
        /// The file under `recordings/`, if the audio is kept.
        public var recording: String?
    }

    public struct Audio: Codable, Sendable {
        public var id: String
        public var file: String
        public var sessionId: String
        public var orderId: String?
        public var durationSeconds: Double
        public var createdAt: Date
    }

    public var exportedAt: Date
    public var customer: Person
    public var orders: [Order]
    public var utterances: [Utterance]
    public var recordings: [Audio]
}

extension CustomerExport {
    /// The manifest of what is held about the customer (recordings named `<id>.opus`);
    /// `notFound` when nothing is.
    package init(
        customerId: String, person: Customer?, orders: [(OrderRecord, [OrderEvent])], turns: [Turn], recordings: [Recording]
    ) throws {
        guard person != nil || !turns.isEmpty || !orders.isEmpty else {
            throw RetentionOffice.Refusal(description: "no customer \(customerId)", kind: .notFound)
        }
        let fileOfTurn = Dictionary(recordings.compactMap { r in r.turnId.map { ($0, r.id + ".opus") } }, uniquingKeysWith: { a, _ in a })
        self.init(
            exportedAt: Date(),
            customer: .init(id: customerId, name: person?.name, createdAt: person?.createdAt, audioConsent: person?.audioConsent),
            orders: try orders.map { order, events in
                .init(id: order.id, status: order.status, total: order.total.description, lines: try order.lines(),
                      createdAt: order.createdAt, trackingNumber: order.trackingNumber,
                      events: events.map { .init(status: $0.status, at: $0.createdAt, note: $0.note) })
            },
            utterances: turns.map { turn in
                .init(turnId: turn.id ?? 0, at: turn.createdAt, sessionId: turn.sessionId, transcript: turn.transcript, intent: turn.intent,
                      confidence: turn.confidence, outcome: turn.outcome, orderId: turn.orderId, recording: turn.id.flatMap { fileOfTurn[$0] })
            },
            recordings: recordings.map {
                .init(id: $0.id, file: $0.id + ".opus", sessionId: $0.sessionId, orderId: $0.orderId, durationSeconds: $0.durationSeconds,
                      createdAt: $0.createdAt)
            })
    }

    /// For the audit trail.
    package var counts: [String: Int] { ["orders": orders.count, "utterances": utterances.count, "recordings": recordings.count] }

    /// Writes `manifest.json` and the recordings' `recordings/*.opus` into `directory`.
    public func write(to directory: URL, audio: [String: Data]) throws {
        let recordings = directory.appendingPathComponent("recordings")
        try FileManager.default.createDirectory(at: recordings, withIntermediateDirectories: true)
        for (name, bytes) in audio { try bytes.write(to: recordings.appendingPathComponent(name)) }
        try RetentionOffice.exportEncoder.encode(self).write(to: directory.appendingPathComponent("manifest.json"))
    }
}
