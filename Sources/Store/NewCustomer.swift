import Foundation

/// A customer to add: the PIN is stored hashed, the payment method as the provider's token.
public struct NewCustomer: Sendable {
    public var id: String?
    public var name: String
    public var pin: String?
    public var pinRequired = false
    public var paymentMethod: (token: String, label: String)?
    public var address: String?
    /// E.164, e.g. +15551234567.
    public var phone: String?

    public init(id: String? = nil, name: String, pin: String? = nil, pinRequired: Bool = false,
                paymentMethod: (token: String, label: String)? = nil, address: String? = nil, phone: String? = nil) {
        self.phone = phone
        self.id = id
        self.name = name
        self.pin = pin
        self.pinRequired = pinRequired
        self.paymentMethod = paymentMethod
        self.address = address
    }
}
