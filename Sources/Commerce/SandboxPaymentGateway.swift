import Synchronization

/// A payment provider's test mode, in memory. Payment methods are Stripe's test names:
///
/// | payment method | result |
/// |---|---|
/// | `pm_card_visa`, `pm_card_mastercard`, `pm_card_amex` | approved |
/// | `pm_card_chargeDeclined` | `card_declined` |
/// | `pm_card_chargeDeclinedInsufficientFunds` | `insufficient_funds` |
/// | `pm_card_timeout` (Talkshop's own) | never answers: the caller's timeout fires |
///
/// Idempotency keys behave like the real thing: the same key returns the first receipt.
/// The sandbox keeps its state in memory; so that a refund issued from another process (the
/// staff CLI) or after a restart can still be checked, a capture id carries its amount.
public final class SandboxPaymentGateway: PaymentGateway {
    public static let approvedMethods: Set<String> = ["pm_card_visa", "pm_card_mastercard", "pm_card_amex"]

    private struct State {
        var answers: [String: Result<PaymentReceipt, PaymentError>] = [:]
        var authorizations: [String: Money] = [:]
        var captures: [String: Money] = [:]
        var refunded: [String: Int] = [:]
        var next = 0

        mutating func newId(_ prefix: String) -> String {
            next += 1
            return "\(prefix)_sandbox_\(next)"
        }
    }

    private let state = Mutex(State())
    /// How long a `pm_card_timeout` call hangs before giving up.
    private let hang: Duration

    public init(hang: Duration = .seconds(3_600)) { self.hang = hang }

    /// Operations the sandbox has answered (not counting idempotent repeats).
    public var operationCount: Int { state.withLock { $0.next } }

    public func authorize(_ amount: Money, paymentMethod: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        if paymentMethod == "pm_card_timeout" {
            try? await Task.sleep(for: hang)
            throw PaymentError(.timeout, "the sandbox did not answer")
        }
        return try answer(idempotencyKey) { state throws(PaymentError) in
            guard amount.minorUnits > 0 else { throw PaymentError(.invalidAmount, "cannot authorise \(amount)") }
            switch paymentMethod {
            case "pm_card_chargeDeclined": throw PaymentError(.declined, "the card was declined")
            case "pm_card_chargeDeclinedInsufficientFunds": throw PaymentError(.insufficientFunds, "the card has insufficient funds")
            case let method where Self.approvedMethods.contains(method):
                let id = state.newId("auth")
                state.authorizations[id] = amount
                return PaymentReceipt(id: id, amount: amount)
            default: throw PaymentError(.invalidPaymentMethod, "no such payment method \(paymentMethod)")
            }
        }
    }

    public func capture(authorizationId: String, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        try answer(idempotencyKey) { state throws(PaymentError) in
            guard let amount = state.authorizations.removeValue(forKey: authorizationId) else {
                throw PaymentError(.unknownPayment, "no open authorisation \(authorizationId)")
            }
            let id = state.newId("capture") + "_\(amount.minorUnits)\(amount.currency)"
            state.captures[id] = amount
            return PaymentReceipt(id: id, amount: amount)
        }
    }

    public func refund(captureId: String, amount: Money, idempotencyKey: String) async throws(PaymentError) -> PaymentReceipt {
        try answer(idempotencyKey) { state throws(PaymentError) in
            guard let captured = state.captures[captureId] ?? Self.amount(encodedIn: captureId) else {
                throw PaymentError(.unknownPayment, "no capture \(captureId)")
            }
            let left = captured.minorUnits - state.refunded[captureId, default: 0]
            guard amount.currency == captured.currency, amount.minorUnits > 0, amount.minorUnits <= left else {
                throw PaymentError(.invalidAmount, "cannot refund \(amount); \(Money(minorUnits: left, currency: captured.currency)) is left")
            }
            state.refunded[captureId, default: 0] += amount.minorUnits
            return PaymentReceipt(id: state.newId("refund"), amount: amount)
        }
    }

    /// `capture_sandbox_7_425USD` → USD 4.25.
    static func amount(encodedIn captureId: String) -> Money? {
        guard captureId.hasPrefix("capture_sandbox_"), let last = captureId.split(separator: "_").last, last.count > 3 else { return nil }
        guard let minor = Int(last.dropLast(3)) else { return nil }
        return Money(minorUnits: minor, currency: String(last.suffix(3)))
    }

    /// Runs `operation` once per idempotency key; later calls get the stored answer.
    private func answer(
        _ key: String, _ operation: (inout State) throws(PaymentError) -> PaymentReceipt
    ) throws(PaymentError) -> PaymentReceipt {
        let result = state.withLock { state -> Result<PaymentReceipt, PaymentError> in
            if let earlier = state.answers[key] { return earlier }
            let result = Result { () throws(PaymentError) -> PaymentReceipt in try operation(&state) }
            state.answers[key] = result
            return result
        }
        return try result.get()
    }
}
