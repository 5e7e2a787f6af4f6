import Foundation

/// Why a conversation cannot be resumed.
public enum ConversationResumeError: Error, Equatable {
    /// The conversation does not exist or belongs to another customer.
    case unknownConversation
}
