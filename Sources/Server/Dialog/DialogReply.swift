import Commerce
import Conversation

/// What one turn of the dialog has the session tell the customer, before any channel's wire
/// format: `ServerEvent.events(for:names:)` makes the device events of it, the phone speaks the
/// prompts and ends the call on a hand-over.
enum DialogReply: Sendable, Equatable {
    /// Say this.
    case say(Prompt)
    /// Where this order stands now.
    case order(OrderRecord)
    /// The cart as it now stands.
    case cart(Cart)
    /// The stores failed this turn: what could not be done, and then what the customer hears.
    case failed(StoreFailure)
    /// Another part of the server failed (an order that could not be cancelled): an error only.
    case error(String)
    /// The customer asked for a person: the session ends as a hand-over.
    case handOver(conversationId: String)

    /// The prompt a store failure is told with.
    static func prompt(for failure: StoreFailure) -> Prompt {
        failure.unavailable ? .cannotTakeOrdersNow : .failedOnOurSide
    }
}

extension [DialogReply] {
    /// Whether these replies hand the customer over to a person.
    var handsOver: Bool {
        contains { if case .handOver = $0 { true } else { false } }
    }
}
