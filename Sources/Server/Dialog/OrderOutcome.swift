import Commerce
import Conversation

/// What came of a confirmed "yes" at the order desk, before anything is said on any channel.
enum OrderOutcome: Sendable, Equatable {
    /// The order was written and paid.
    case placed(OrderRecord, paidWith: String)
    /// The order was written, its payment failed, and it was cancelled.
    case paymentFailed(OrderRecord, PaymentError.Code)
    /// Nothing was written, for this reason.
    case declined(OrderDecline)
    /// The same order was placed a short while ago: the dialog asks for a second yes.
    case confirmRepeat(minutes: Int)
    /// Another session placed this cart version or changed the cart, or the device was
    /// revoked: the session reads the shared cart again.
    case cartTakenElsewhere(PlacementRefusal)
}

/// Why a confirmed order was not written.
enum OrderDecline: Sendable, Equatable {
    case wrongPIN(attemptsLeft: Int)
    /// That wrong PIN locked PIN entry.
    case wrongPINNowLocked
    case noPINOnAccount
    case noPaymentMethod
    /// A line ran out between the read-back and the order.
    case justRunOut(name: String, available: Int)
    /// The guard's rules, checked again as the order was written.
    case guardRefused(ConfirmationGuard.Refusal)
    /// The stores failed; nothing was ordered.
    case storeFailed(StoreFailure)
}

/// A store that could not be read or written while the customer waited: said as such (never
/// as "no PIN" or "no payment method", which would send the customer to fix the wrong thing).
struct StoreFailure: Error, Equatable {
    /// What could not be done, for the device's error event and the log.
    var what: String
    /// The database did not answer at all (`StoreUnavailable`): "we can't take orders now".
    var unavailable: Bool
}

/// What came of "cancel my order" after its yes.
enum CancelOutcome: Sendable, Equatable {
    case cancelled(OrderRecord, refunded: Money?)
    case nothingToCancel
    case tooLate(OrderStatus)
    /// The provider refused the refund: the order stays as it was.
    case refundFailed(OrderRecord, PaymentError.Code)
    case failed(StoreFailure)
}
