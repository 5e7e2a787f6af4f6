import Foundation

/// A saved payment method: the provider's token (e.g. Stripe's `pm_…`), never a card number.
public struct PaymentMethod: Codable, Sendable, Equatable {
    public var id: String
    public var customerId: String
    public var token: String
    /// What the customer hears: "Visa ending 4242".
    public var label: String
    public var isDefault: Bool
    public var createdAt: Date
}

extension PaymentMethod {
    package init(id: String, customerId: String, token: String, label: String, isDefault: Bool, at createdAt: Date) {
        self.init(id: id, customerId: customerId, token: token, label: label, isDefault: isDefault, createdAt: createdAt)
    }
}
