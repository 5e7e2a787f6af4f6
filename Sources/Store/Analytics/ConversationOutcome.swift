/// What a conversation came to, the first rule that holds winning (docs/analytics.md):
///
/// 1. `ordered`: an order was placed and paid.
/// 2. `cancelled_or_returned`: an order was cancelled by the customer.
/// 3. `handed_over`: a person took over.
/// 4. `order_status_answered`: the status or delivery of an order was told.
/// 5. `abandoned`: it ended while a question was pending (a read-back, the PIN, a repeat or a
///    "did you say"), or after two or more rejections in a row.
/// 6. `nothing_needed`: anything else (greeted, asked for help, looked at the cart, left).
public enum ConversationOutcome: String, Sendable, CaseIterable, Codable {
    case ordered
    case cancelledOrReturned = "cancelled_or_returned"
    case handedOver = "handed_over"
    case orderStatusAnswered = "order_status_answered"
    case abandoned
    case nothingNeeded = "nothing_needed"

    /// The outcome of counts gathered over a conversation (`ContactCounts` keys), and how its
    /// last contact ended.
    public static func of(_ counts: [String: Int], endedAsking: String?, trailingRejections: Int) -> ConversationOutcome {
        if counts[ContactCounts.paid, default: 0] > 0 { return .ordered }
        if counts[ContactCounts.cancelled, default: 0] > 0 { return .cancelledOrReturned }
        if counts[ContactCounts.handedOver, default: 0] > 0 { return .handedOver }
        if counts[ContactCounts.statusAnswered, default: 0] > 0 { return .orderStatusAnswered }
        if endedAsking != nil || trailingRejections >= 2 { return .abandoned }
        return .nothingNeeded
    }

    /// Outcomes that are what the customer came for (first-contact resolution counts these).
    public var resolves: Bool { [.ordered, .cancelledOrReturned, .orderStatusAnswered].contains(self) }
}

/// The keys of a contact's counts: fixed names, intent names from the grammar, dialog states
/// and rejection reasons; never anything the customer said.
public enum ContactCounts {
    /// Utterances, typed lines and keys acted on or rejected.
    public static let turns = "turns"
    /// `recognised:<intent>`.
    public static func recognised(_ intent: String) -> String { "recognised:\(intent)" }
    /// `rejected:<state>:<reason>` (reason: no_match, low_confidence, no_speech, replayed).
    public static func rejected(_ reason: String, state: String) -> String { "rejected:\(state):\(reason)" }
    /// `<answer>:<question>`, answer one of asked, confirmed, declined, timed_out; question one
    /// of `Question`.
    public static func question(_ answer: Answer, _ question: Question) -> String { "\(answer.rawValue):\(question.rawValue)" }
    /// `refused:<rule>`: the guard refused an order (broadcast_pause, over_daily_limit, …).
    public static func refused(_ rule: String) -> String { "refused:\(rule)" }
    public static let cart = "cart"
    public static let ordered = "ordered"
    public static let paid = "paid"
    public static let paymentFailed = "payment_failed"
    public static let cancelled = "cancelled"
    public static let handedOver = "handed_over"
    public static let statusAnswered = "status_answered"
    public static let pinFailed = "pin_failed"

    /// A question the dialog asks before it acts.
    public enum Question: String, Sendable, CaseIterable, Codable {
        /// The order's read-back ("… Shall I place the order?").
        case readBack = "read_back"
        /// "You ordered exactly this … Say yes again."
        case repeatOrder = "repeat_order"
        case pin
        /// "Do you want to cancel your latest order?"
        case cancel
        /// A low-confidence command re-asked: "Did you say …?"
        case clarify
    }

    /// What became of a question.
    public enum Answer: String, Sendable, CaseIterable, Codable {
        case asked, confirmed, declined
        /// No clear answer: the window ran out, or something else was heard.
        case timedOut = "timed_out"
    }
}
