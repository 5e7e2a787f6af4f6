import Conversation
import Foundation
import Store

/// What one session's conversation comes to, counted as it happens, for the analytics
/// (`ContactRecord`, docs/analytics.md): intent names, dialog states, reasons and counts —
/// never a word the customer said.
struct ConversationTally: Sendable {
    typealias Question = ContactCounts.Question

    private(set) var counts: [String: Int] = [:]
    /// What the customer came for: the topic of the first intent acted on.
    private(set) var topic: String?
    private(set) var trailingRejections = 0
    private(set) var firstOrderAt: Date?

    mutating func count(_ key: String, by amount: Int = 1) {
        counts[key, default: 0] += amount
    }

    mutating func recognised(_ intent: String) {
        count(ContactCounts.turns)
        count(ContactCounts.recognised(intent))
        trailingRejections = 0
        if topic == nil { topic = ContactRecord.topic(of: intent) }
    }

    mutating func rejected(_ reason: String, state: String) {
        count(ContactCounts.turns)
        count(ContactCounts.rejected(reason, state: state))
        trailingRejections += 1
    }

    /// The question pending before and after a turn of the dialog: one left is answered (how,
    /// by `intent`: yes or the PIN confirms, no declines, anything else or the clock leaves it
    /// unanswered), one that appeared is asked.
    mutating func question(from before: Question?, to after: Question?, answeredWith intent: Command?) {
        guard before != after else { return }
        if let before {
            let answer: ContactCounts.Answer =
                switch intent {
                case .yes?, .pinDigits?: .confirmed
                case .no?: .declined
                default: .timedOut
                }
            count(ContactCounts.question(answer, before))
        }
        if let after { count(ContactCounts.question(.asked, after)) }
    }

    mutating func ordered(paid: Bool, at now: Date) {
        count(ContactCounts.ordered)
        count(paid ? ContactCounts.paid : ContactCounts.paymentFailed)
        if paid && firstOrderAt == nil { firstOrderAt = now }
    }

    mutating func sawCart() { counts[ContactCounts.cart] = 1 }

    /// The guard refused an order (`ConfirmationGuard.Refusal`), by its rule's name.
    mutating func refused(_ refusal: ConfirmationGuard.Refusal) {
        count(ContactCounts.refused(Self.name(of: refusal)))
    }

    /// The question the dialog machine is waiting on, if any.
    static func question(_ pending: ConversationMachine.Pending?) -> Question? {
        switch pending {
        case nil: nil
        case .placeOrder(_, let awaiting, _)?:
            switch awaiting.first {
            case .readBack?: .readBack
            case .repeatOrder?: .repeatOrder
            case .pin?: .pin
            case nil: nil
            }
        case .cancelLatestOrder?: .cancel
        case .clarify?: .clarify
        }
    }

    static func name(of refusal: ConfirmationGuard.Refusal) -> String {
        switch refusal {
        case .broadcastPause: "broadcast_pause"
        case .noPaymentMethod: "no_payment_method"
        case .overDailyLimit: "over_daily_limit"
        case .needsPINButNoneSet: "needs_pin_but_none_set"
        case .pinLocked: "pin_locked"
        }
    }
}
