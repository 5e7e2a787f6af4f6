import Foundation

/// What one contact (a session: a speaker's connection, a phone call, a web page's or a typed
/// chat's) came to, for the analytics: counts, times and the question left open, never a word
/// or a sound. Written when the session ends; kept after the transcripts expire. An erased
/// customer's contacts are anonymised (`customerId` set to NULL), so the counts still add up.
public struct ContactRecord: Codable, Sendable, Equatable {

    public var sessionId: String
    public var conversationId: String?
    /// NULL once the customer is erased.
    public var customerId: String?
    /// speaker, phone, web or text (docs/analytics.md).
    public var channel: String
    public var startedAt: Date
    public var endedAt: Date
    /// What the customer came for, from the first intent acted on: order, status, cancel,
    /// person (nil: nothing was recognised).
    public var topic: String?
    /// The counts by key (`ContactCounts`), as JSON.
    public var countsJSON: String
    /// The question pending when the contact ended (a read-back, the PIN …), if any.
    public var endedAsking: String?
    /// Rejections in a row at the end of the contact.
    public var trailingRejections: Int
    /// Seconds from the start to the first order placed, if one was.
    public var secondsToOrder: Double?
    /// Derived from stored turns by `talkshop report --rebuild`, not counted live.
    public var rebuilt: Bool

    public init(
        sessionId: String, conversationId: String?, customerId: String?, channel: String, startedAt: Date, endedAt: Date,
        topic: String?, counts: [String: Int], endedAsking: String?, trailingRejections: Int, secondsToOrder: Double?, rebuilt: Bool = false
    ) {
        self.sessionId = sessionId
        self.conversationId = conversationId
        self.customerId = customerId
        self.channel = channel
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.topic = topic
        self.countsJSON = Self.json(counts)
        self.endedAsking = endedAsking
        self.trailingRejections = trailingRejections
        self.secondsToOrder = secondsToOrder
        self.rebuilt = rebuilt
    }

    /// What a customer came for, from the first intent acted on (docs/analytics.md); nil for
    /// an intent that says nothing of it (yes, help, the cart …). The live tally and the
    /// rebuild both ask here.
    public static func topic(of intent: String) -> String? {
        switch intent {
        case "orderDrink", "addItem", "chooseOption", "checkout", "orderTheUsual": "order"
        case "orderStatus", "whereIsMyOrder": "status"
        case "cancelOrder": "cancel"
        case "speakToPerson": "person"
        default: nil
        }
    }

    /// The channel a contact is counted under: phone (the phone bridge), web (the try page's
    /// web device), text (no audio at all: typed chat), else speaker.
    public static func channel(sessionChannel: String, deviceClass: String, audioSeconds: Double) -> String {
        if sessionChannel == "phone" { return "phone" }
        if deviceClass == "web" { return "web" }
        return audioSeconds == 0 ? "text" : "speaker"
    }

    /// Analytics tallies only (no words, no money): a row that does not decode counts as none
    /// rather than failing the whole report.
    public var counts: [String: Int] {
        (try? JSONDecoder().decode([String: Int].self, from: Data(countsJSON.utf8))) ?? [:]
    }

    static func json(_ counts: [String: Int]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding a dictionary of strings to integers cannot fail; "{}" only satisfies the type.
        return String(decoding: (try? encoder.encode(counts.filter { $0.value != 0 })) ?? Data("{}".utf8), as: UTF8.self)
    }
}

extension ContactRecord {
    /// The contact as an erasure leaves it: the counts, channel, topic and durations kept; the
    /// customer gone; the session and conversation renamed at random (the same new name for
    /// contacts of one conversation, so it still counts once), since orders and session rows
    /// still carry the old ones; the times cut to the hour, so they cannot be matched to a
    /// session's either.
    public static func anonymised(_ contacts: [ContactRecord]) -> [(formerSessionId: String, contact: ContactRecord)] {
        var conversations: [String: String] = [:]
        return contacts.map { contact in
            var anonymous = contact
            anonymous.customerId = nil
            anonymous.sessionId = "anonymous-" + UUID().uuidString.lowercased()
            anonymous.conversationId = contact.conversationId.map { old in
                if let renamed = conversations[old] { return renamed }
                let renamed = "anonymous-" + UUID().uuidString.lowercased()
                conversations[old] = renamed
                return renamed
            }
            let hour = Date(timeIntervalSince1970: (contact.startedAt.timeIntervalSince1970 / 3_600).rounded(.down) * 3_600)
            anonymous.startedAt = hour
            anonymous.endedAt = hour.addingTimeInterval(contact.endedAt.timeIntervalSince(contact.startedAt))
            return (contact.sessionId, anonymous)
        }
    }
}
