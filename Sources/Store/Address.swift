import Foundation

/// A saved delivery address.
public struct Address: Codable, Sendable, Equatable {
    public var id: String
    public var customerId: String
    public var text: String
    public var isDefault: Bool
    public var createdAt: Date
}

extension Address {
    package init(id: String, customerId: String, text: String, isDefault: Bool, at createdAt: Date) {
        self.init(id: id, customerId: customerId, text: text, isDefault: isDefault, createdAt: createdAt)
    }
}
