import Foundation

/// A customer's conversation, which may continue across connections and channels.
public struct ConversationRecord: Codable, Sendable, Equatable {

    public var id: String
    public var customerId: String
    /// The dialog state the conversation is in (which grammar is listened for).
    public var dialogState: String
    /// The cart as JSON, so a resumed conversation keeps it (never a pending confirmation).
    public var cartJSON: String?
    public var createdAt: Date
    public var updatedAt: Date
    /// Bumped by every change of the cart, from any session of the conversation; an order
    /// consumes one version (`SQLiteOrderStorage.place`).
    public var cartVersion: Int = 0

    public init(
        id: String, customerId: String, dialogState: String, cartJSON: String?, createdAt: Date, updatedAt: Date, cartVersion: Int = 0
    ) {
        self.id = id
        self.customerId = customerId
        self.dialogState = dialogState
        self.cartJSON = cartJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.cartVersion = cartVersion
    }
}
