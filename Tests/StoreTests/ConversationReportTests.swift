import Foundation
import Store
import Testing

/// The report's rules on contacts made by hand (docs/analytics.md).
struct ConversationReportTests {
    let start = Date(timeIntervalSince1970: 1_789_948_800)  // midnight UTC

    func contact(_ session: String, customer: String?, topic: String?, hoursIn: Double, counts: [String: Int],
                 conversation: String? = nil, asking: String? = nil, trailing: Int = 0) -> ContactRecord {
        let started = start.addingTimeInterval(hoursIn * 3_600)
        return ContactRecord(
            sessionId: session, conversationId: conversation ?? session, customerId: customer, channel: "speaker", startedAt: started,
            endedAt: started.addingTimeInterval(60), topic: topic, counts: counts, endedAsking: asking, trailingRejections: trailing,
            secondsToOrder: counts["paid"] != nil ? 30 : nil)
    }

    @Test func comingBackAboutTheSameThingWithinADayIsNotResolvedFirstTime() {
        let contacts = [
            contact("a1", customer: "ann", topic: "status", hoursIn: 0, counts: ["status_answered": 1]),
            contact("a2", customer: "ann", topic: "status", hoursIn: 23, counts: ["status_answered": 1]),  // within 24 h of a1's end
            contact("b1", customer: "ben", topic: "status", hoursIn: 0, counts: ["status_answered": 1]),
            contact("b2", customer: "ben", topic: "status", hoursIn: 25, counts: ["status_answered": 1]),  // a day later: a new matter
            contact("c1", customer: "cy", topic: "order", hoursIn: 1, counts: ["paid": 1, "handed_over": 1]),  // ordered, but a person helped
            contact("d1", customer: nil, topic: "order", hoursIn: 2, counts: ["paid": 1]),  // erased customer: cannot be seen coming back
        ]
        let report = ConversationReport(contacts: contacts, since: start, until: start.addingTimeInterval(86_400 * 2))
        #expect(report.firstContactResolution.count == 4 && report.firstContactResolution.of == 6, "a2, b1, b2, d1")
        #expect(report.outcomes == ["order_status_answered": 4, "ordered": 2])
        #expect(report.handoverRate.count == 1)
        #expect(report.medianSecondsToOrder == 30)
        #expect(report.days.map(\.conversations) == [5, 1])
    }

    @Test func aConversationOverSeveralContactsIsOneConversation() {
        let contacts = [
            // Cut off with a cart, resumed elsewhere, ordered: one conversation, ordered.
            contact("s1", customer: "ann", topic: "order", hoursIn: 0, counts: ["cart": 1, "turns": 2], conversation: "c1", asking: "read_back"),
            contact("s2", customer: "ann", topic: "order", hoursIn: 0.1, counts: ["asked:read_back": 1, "confirmed:read_back": 1, "paid": 1, "turns": 2],
                    conversation: "c1"),
            // Left after two rejections, and left during a PIN question: both abandoned.
            contact("s3", customer: "ben", topic: nil, hoursIn: 1, counts: ["rejected:main:no_match": 2, "turns": 2], trailing: 2),
            contact("s4", customer: "cy", topic: "order", hoursIn: 1, counts: ["asked:pin": 1, "turns": 3], asking: "pin"),
        ]
        let report = ConversationReport(contacts: contacts, since: start, until: start.addingTimeInterval(86_400))
        #expect(report.conversations == 3 && report.contacts == 4)
        #expect(report.outcomes == ["ordered": 1, "abandoned": 2])
        #expect(report.turnsPerConversation == 3)
        #expect(report.funnel.map(\.conversations) == [1, 1, 1, 1, 0])
        #expect(report.guardInterventions["pin_asked"] == 1)
        #expect(report.rejections == ["main": ["no_match": 2]])
    }
}
