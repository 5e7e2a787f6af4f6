import Commerce

/// What the conversation asks the outside world to do. The server carries these out; the
/// state machine itself does no I/O.
public enum DialogAction: Sendable, Equatable {
    /// Say this to the customer (`Prompts.swift` has every sentence).
    case say(Prompt)
    /// Place the confirmed order (only ever emitted after an explicit "yes" and the guard's
    /// other checkpoints). `pin` is the spoken PIN when one was asked for; the server checks it.
    /// `repeatConfirmed`: the customer said the second yes for ordering the same again, so the
    /// repeat rule is satisfied when the server checks the guard once more as it writes the order.
    case placeOrder(Cart, pin: String?, repeatConfirmed: Bool = false)
    /// Cancel the customer's latest order (only after an explicit "yes").
    case cancelLatestOrder
    case reportOrderStatus
    case reportDelivery
    case reorderUsual
    /// Hand the customer over to a person (operator queue).
    case handOver
    /// Tell the customer why the order cannot be placed (`Prompt.refusal` says it).
    case refuse(ConfirmationGuard.Refusal)
}
