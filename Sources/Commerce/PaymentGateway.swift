/// A card processor as Talkshop uses it: authorise an amount on a saved payment method, capture
/// it, refund it. Every call carries an idempotency key: repeating a call with the same key
/// returns the first answer and never charges twice (as Stripe and Adyen do).
public protocol PaymentGateway: Sendable {
    func authorize(_ amount: Money, paymentMethod: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt
    func capture(authorizationId: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt
    func refund(captureId: String, amount: Money, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt
}

/// The provider's answer: its reference for the operation and the amount it covers.
public struct PaymentReceipt: Sendable, Equatable {
    public var id: String
    public var amount: Money

    public init(id: String, amount: Money) {
        self.id = id
        self.amount = amount
    }
}

/// Why a payment call failed. `timeout` means the outcome is unknown: retry with the same key.
public struct PaymentError: Error, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case declined = "card_declined"
        case insufficientFunds = "insufficient_funds"
        case invalidPaymentMethod = "invalid_payment_method"
        case unknownPayment = "unknown_payment"
        case invalidAmount = "invalid_amount"
        case timeout
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
