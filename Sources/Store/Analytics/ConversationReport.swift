import Foundation

/// The figures a shop judges its voice channel by, computed from contacts (docs/analytics.md
/// defines each): outcomes, first-contact resolution, hand-overs, recognition per intent and
/// state, the questions' answers, the confirmation funnel and the guard's interventions.
public struct ConversationReport: Codable, Sendable, Equatable {
    public struct Rate: Codable, Sendable, Equatable {
        public var count: Int
        public var of: Int
        /// count / of, 0 when there is nothing to divide.
        public var rate: Double

        init(_ count: Int, of total: Int) {
            self.count = count
            self.of = total
            rate = total == 0 ? 0 : Double(count) / Double(total)
        }
    }

    public struct Channel: Codable, Sendable, Equatable {
        public var conversations = 0
        public var turns = 0
        public var rejections = 0
        /// Rejections per turn.
        public var rejectionRate = 0.0
    }

    public struct FunnelStep: Codable, Sendable, Equatable {
        public var step: String
        /// Conversations that reached the step.
        public var conversations: Int
        /// Of those that reached the step before, how many did not reach this one.
        public var dropOff: Int
    }

    public struct Day: Codable, Sendable, Equatable {
        /// YYYY-MM-DD (UTC), by the conversation's start.
        public var day: String
        public var conversations: Int
        public var outcomes: [String: Int]
        public var firstContactResolution: Rate
        public var handoverRate: Rate
        public var rejectionRate: Double
    }

    public var since: Date
    public var until: Date
    /// The channel the report is limited to, if any.
    public var channel: String?
    public var conversations: Int
    public var contacts: Int
    public var outcomes: [String: Int]
    public var firstContactResolution: Rate
    public var handoverRate: Rate
    public var channels: [String: Channel]
    /// Intents recognised, by name.
    public var intents: [String: Int]
    /// Rejections by dialog state, then reason.
    public var rejections: [String: [String: Int]]
    /// Questions (read_back, repeat_order, pin, cancel, clarify) by answer (asked, confirmed, declined, timed_out).
    public var questions: [String: [String: Int]]
    public var funnel: [FunnelStep]
    /// pin_asked, pin_failed, repeat_prompt, spend_limit, broadcast_pause, re_ask.
    public var guardInterventions: [String: Int]
    public var turnsPerConversation: Double
    /// The median over conversations that ordered, in seconds (nil: none ordered).
    public var medianSecondsToOrder: Double?
    /// Contacts derived from stored turns by `--rebuild` rather than counted live.
    public var rebuiltContacts: Int
    public var days: [Day]

    /// One conversation: its contacts merged (`conversationId`, else the contact alone).
    struct Conversation {
        var customerId: String?
        var channel: String
        var topic: String?
        var startedAt: Date
        var endedAt: Date
        var counts: [String: Int]
        var outcome: ConversationOutcome
        var secondsToOrder: Double?
        var conversationId: String?

        func count(_ key: String) -> Int { counts[key, default: 0] }
    }

    /// The report over `contacts` (those ended within the window), for `channel` if given.
    /// `delivered`: the conversations with an order delivered.
    public init(contacts: [ContactRecord], since: Date, until: Date, channel: String? = nil, delivered: Set<String> = []) {
        let window = contacts.filter { $0.endedAt >= since && $0.endedAt <= until }
        let all = Self.conversations(of: window)
        let resolved = Self.firstContactResolved(all)
        let selected = all.indices.filter { channel == nil || all[$0].channel == channel }
        let conversations = selected.map { all[$0] }

        self.since = since
        self.until = until
        self.channel = channel
        self.conversations = conversations.count
        let selectedKeys = Set(conversations.compactMap(\.conversationId))
        self.contacts = window.filter { selectedKeys.contains($0.conversationId ?? $0.sessionId) }.count
        rebuiltContacts = window.filter(\.rebuilt).count
        outcomes = Dictionary(grouping: conversations, by: \.outcome.rawValue).mapValues(\.count)
        let cameFor = selected.filter { all[$0].topic != nil }
        firstContactResolution = Rate(cameFor.filter { resolved.contains($0) }.count, of: cameFor.count)
        handoverRate = Rate(conversations.filter { $0.count(ContactCounts.handedOver) > 0 }.count, of: conversations.count)

        var channels: [String: Channel] = [:]
        var intents: [String: Int] = [:], rejections: [String: [String: Int]] = [:], questions: [String: [String: Int]] = [:]
        for conversation in conversations {
            var figures = channels[conversation.channel, default: Channel()]
            figures.conversations += 1
            figures.turns += conversation.count(ContactCounts.turns)
            for (key, value) in conversation.counts {
                let parts = key.split(separator: ":").map(String.init)
                switch parts.first {
                case "recognised" where parts.count == 2: intents[parts[1], default: 0] += value
                case "rejected" where parts.count == 3:
                    rejections[parts[1], default: [:]][parts[2], default: 0] += value
                    figures.rejections += value
                case let answer? where parts.count == 2 && ContactCounts.Answer(rawValue: answer) != nil:
                    questions[parts[1], default: [:]][answer, default: 0] += value
                default: break
                }
            }
            channels[conversation.channel] = figures
        }
        for name in channels.keys { channels[name]!.rejectionRate = Self.ratio(channels[name]!.rejections, channels[name]!.turns) }
        self.channels = channels
        self.intents = intents
        self.rejections = rejections
        self.questions = questions

        let reached: [(String, (Conversation) -> Bool)] = [
            ("cart", { $0.count(ContactCounts.cart) > 0 }),
            ("read_back", { $0.count(ContactCounts.question(.asked, .readBack)) > 0 }),
            ("yes", { $0.count(ContactCounts.question(.confirmed, .readBack)) > 0 }),
            ("paid", { $0.count(ContactCounts.paid) > 0 }),
            ("delivered", { $0.conversationId.map(delivered.contains) ?? false }),
        ]
        var previous: Int?
        funnel = reached.map { step, test in
            let count = conversations.filter(test).count
            defer { previous = count }
            return FunnelStep(step: step, conversations: count, dropOff: previous.map { max(0, $0 - count) } ?? 0)
        }
        func total(_ key: String) -> Int { conversations.reduce(0) { $0 + $1.count(key) } }
        guardInterventions = [
            "pin_asked": total(ContactCounts.question(.asked, .pin)), "pin_failed": total(ContactCounts.pinFailed),
            "repeat_prompt": total(ContactCounts.question(.asked, .repeatOrder)),
            "spend_limit": total(ContactCounts.refused("over_daily_limit")),
            "broadcast_pause": total(ContactCounts.refused("broadcast_pause")),
            "re_ask": total(ContactCounts.question(.asked, .clarify)),
        ]
        turnsPerConversation = Self.ratio(total(ContactCounts.turns), conversations.count)
        medianSecondsToOrder = Self.median(conversations.compactMap(\.secondsToOrder))

        let byDay = Dictionary(grouping: selected) { Self.day(all[$0].startedAt) }
        days = byDay.keys.sorted().map { day in
            let indices = byDay[day]!
            let members = indices.map { all[$0] }
            let came = indices.filter { all[$0].topic != nil }
            let turns = members.reduce(0) { $0 + $1.count(ContactCounts.turns) }
            let rejected = members.reduce(0) { sum, conversation in
                sum + conversation.counts.filter { $0.key.hasPrefix("rejected:") }.values.reduce(0, +)
            }
            return Day(
                day: day, conversations: members.count, outcomes: Dictionary(grouping: members, by: \.outcome.rawValue).mapValues(\.count),
                firstContactResolution: Rate(came.filter { resolved.contains($0) }.count, of: came.count),
                handoverRate: Rate(members.filter { $0.count(ContactCounts.handedOver) > 0 }.count, of: members.count),
                rejectionRate: Self.ratio(rejected, turns))
        }
    }

    /// Contacts grouped into conversations, oldest first.
    static func conversations(of contacts: [ContactRecord]) -> [Conversation] {
        let grouped = Dictionary(grouping: contacts) { $0.conversationId ?? $0.sessionId }
        return grouped.map { id, members in
            let ordered = members.sorted { $0.endedAt < $1.endedAt }
            let counts = ordered.reduce(into: [String: Int]()) { sum, contact in sum.merge(contact.counts, uniquingKeysWith: +) }
            let last = ordered.last!
            return Conversation(
                customerId: ordered.compactMap(\.customerId).first, channel: ordered.first!.channel, topic: ordered.compactMap(\.topic).first,
                startedAt: ordered.map(\.startedAt).min()!, endedAt: last.endedAt, counts: counts,
                outcome: .of(counts, endedAsking: last.endedAsking, trailingRejections: last.trailingRejections),
                secondsToOrder: ordered.compactMap(\.secondsToOrder).first, conversationId: id)
        }
        .sorted { $0.startedAt < $1.startedAt }
    }

    /// The indices of conversations resolved at first contact: what the customer came for was
    /// done (`ConversationOutcome.resolves`), no person took over, and the same customer did not
    /// start another conversation about the same topic within 24 hours of its end.
    static func firstContactResolved(_ conversations: [Conversation]) -> Set<Int> {
        var resolved = Set<Int>()
        for (index, conversation) in conversations.enumerated() {
            guard conversation.outcome.resolves, conversation.count(ContactCounts.handedOver) == 0, let topic = conversation.topic else { continue }
            let cameBack = conversation.customerId.map { customer in
                conversations.contains { other in
                    other.customerId == customer && other.topic == topic && other.startedAt > conversation.endedAt
                        && other.startedAt <= conversation.endedAt.addingTimeInterval(86_400)
                }
            } ?? false
            if !cameBack { resolved.insert(index) }
        }
        return resolved
    }

    static func ratio(_ count: Int, _ total: Int) -> Double { total == 0 ? 0 : Double(count) / Double(total) }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func day(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }
}

extension ConversationReport {
    /// The start of a window given as `7d`, `24h`, `90m` before `now`, or a date
    /// (`RetentionOffice.date`); nil if it is neither.
    public static func start(_ text: String, now: Date) -> Date? {
        let units: [Character: Double] = ["d": 86_400, "h": 3_600, "m": 60]
        if let unit = text.last.flatMap({ units[$0] }), let amount = Double(text.dropLast()), amount >= 0 {
            return now.addingTimeInterval(-amount * unit)
        }
        return try? RetentionOffice.date(text)  // neither: nil, and the caller refuses the window
    }

    /// The channels contacts are counted under.
    public static let channelNames = ["speaker", "phone", "web", "text"]

    /// The report from the stores: the contacts ended in the window, and which of their
    /// conversations had an order delivered (the funnel's last step).
    public static func load(
        contacts: any ContactStorage, orders: any OrderStorage, since: Date, until: Date, channel: String? = nil
    ) async throws -> ConversationReport {
        let delivered = Set(try await orders.all(status: .delivered, limit: 1_000_000).compactMap(\.conversationId))
        return ConversationReport(
            contacts: try await contacts.contacts(endedSince: since), since: since, until: until, channel: channel, delivered: delivered)
    }
}
