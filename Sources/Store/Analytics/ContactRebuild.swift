import Foundation

/// What the stores still hold about a session that has no contact record (one from before the
/// analytics, or whose record was lost): enough to derive a coarser one (`--rebuild`).
public struct ContactSource: Sendable, Equatable {
    public struct TurnFact: Sendable, Equatable {
        public var intent: String?
        /// As stored (`TurnOutcome.code`).
        public var outcome: String
        public var at: Date

        public init(intent: String?, outcome: String, at: Date) {
            self.intent = intent
            self.outcome = outcome
            self.at = at
        }
    }

    public struct OrderFact: Sendable, Equatable {
        public var createdAt: Date
        /// Every status the order reached.
        public var statuses: Set<String>

        public init(createdAt: Date, statuses: Set<String>) {
            self.createdAt = createdAt
            self.statuses = statuses
        }
    }

    public var sessionId: String
    public var conversationId: String?
    public var customerId: String
    /// The session's channel (voice, phone) and its device's class.
    public var sessionChannel: String
    public var deviceClass: String
    public var startedAt: Date
    public var endedAt: Date
    public var endReason: String?
    public var audioSeconds: Double
    public var turns: [TurnFact]
    /// The orders the session placed (their idempotency keys start with the session's id).
    public var orders: [OrderFact]

    public init(
        sessionId: String, conversationId: String?, customerId: String, sessionChannel: String, deviceClass: String, startedAt: Date,
        endedAt: Date, endReason: String?, audioSeconds: Double, turns: [TurnFact], orders: [OrderFact]
    ) {
        self.sessionId = sessionId
        self.conversationId = conversationId
        self.customerId = customerId
        self.sessionChannel = sessionChannel
        self.deviceClass = deviceClass
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.endReason = endReason
        self.audioSeconds = audioSeconds
        self.turns = turns
        self.orders = orders
    }

    /// A LIKE pattern for the idempotency keys of the session's orders ("<session>:<n>").
    public static func keyPattern(of sessionId: String) -> String {
        sessionId.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + ":%"
    }

    /// Orders from rows of (order id, created, a status it reached).
    public static func orders(_ rows: [(String, Date, String)]) -> [OrderFact] {
        var byId: [String: OrderFact] = [:], order: [String] = []
        for (id, created, status) in rows {
            if byId[id] == nil { order.append(id) }
            byId[id, default: OrderFact(createdAt: created, statuses: [])].statuses.insert(status)
        }
        return order.map { byId[$0]! }
    }

    /// The analytics channel, as a live session's contact has it.
    public var channel: String {
        ContactRecord.channel(sessionChannel: sessionChannel, deviceClass: deviceClass, audioSeconds: audioSeconds)
    }

    /// The contact these facts allow: intents and rejections (their dialog state is not
    /// stored: counted under `unknown`), orders placed and paid, hand-overs, status answers,
    /// a read-back asked when checkout was heard and confirmed when an order followed, a
    /// cancellation when "cancel" was followed by a yes. Not derivable, so absent: the
    /// questions' time-outs and declines, the PIN and the guard's refusals, a question left
    /// pending at the end (docs/analytics.md).
    public var contact: ContactRecord {
        var counts: [String: Int] = [:]
        var topic: String?, trailing = 0, heardCancel = false
        for turn in turns {
            counts[ContactCounts.turns, default: 0] += 1
            let outcome = TurnOutcome(code: turn.outcome)
            guard outcome.kind == .accepted, let intent = turn.intent else {
                let reason = outcome.rejectionReason ?? "no_intent"
                counts[ContactCounts.rejected(reason, state: "unknown"), default: 0] += 1
                trailing += 1
                continue
            }
            trailing = 0
            counts[ContactCounts.recognised(intent), default: 0] += 1
            if topic == nil { topic = ContactRecord.topic(of: intent) }
            switch intent {
            case "orderDrink", "addItem", "orderTheUsual": counts[ContactCounts.cart] = 1
            case "checkout": counts[ContactCounts.question(.asked, .readBack), default: 0] += 1
            case "orderStatus", "whereIsMyOrder": counts[ContactCounts.statusAnswered, default: 0] += 1
            case "speakToPerson": counts[ContactCounts.handedOver] = 1
            case "cancelOrder": heardCancel = true
            case "yes" where heardCancel:
                counts[ContactCounts.cancelled, default: 0] += 1
                heardCancel = false
            default: break
            }
        }
        if endReason == "handover" { counts[ContactCounts.handedOver] = 1 }
        for order in orders {
            counts[ContactCounts.ordered, default: 0] += 1
            counts[ContactCounts.question(.confirmed, .readBack), default: 0] += 1
            counts[order.statuses.contains("paid") ? ContactCounts.paid : ContactCounts.paymentFailed, default: 0] += 1
        }
        let firstPaid = orders.filter { $0.statuses.contains("paid") }.map(\.createdAt).min()
        return ContactRecord(
            sessionId: sessionId, conversationId: conversationId, customerId: customerId, channel: channel, startedAt: startedAt,
            endedAt: endedAt, topic: topic, counts: counts, endedAsking: nil, trailingRejections: trailing,
            secondsToOrder: firstPaid.map { $0.timeIntervalSince(startedAt) }, rebuilt: true)
    }
}

/// `talkshop report --rebuild`: contacts derived from what the stores hold, for the sessions
/// ended since a date that have none.
public struct ContactRebuild: Sendable {
    let contacts: any ContactStorage

    public init(contacts: any ContactStorage) {
        self.contacts = contacts
    }

    /// Returns how many contacts were derived.
    @discardableResult
    public func run(endedSince since: Date) async throws -> Int {
        try await contacts.removeRebuilt(endedSince: since)
        let sources = try await contacts.uncountedSessions(endedSince: since)
        for source in sources { try await contacts.record(source.contact) }
        return sources.count
    }
}
