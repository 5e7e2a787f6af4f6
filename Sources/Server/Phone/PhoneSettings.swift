import Foundation
import Speech

/// How Talkshop talks on the phone (docs/phone.md): what it says when, how patiently it
/// waits, and its voice. Every key is optional in the configuration file.
public struct PhoneSettings: Codable, Sendable, Equatable {
    public var greeting = "Welcome to Talkshop. What would you like to order? You can press 0 at any time for a person."
    /// Said when nothing was heard for `noInputSeconds` after a prompt, before the prompt again.
    public var noInput = "Sorry, I didn't hear anything."
    /// Said when speech matched nothing.
    public var noMatch = "Sorry, I didn't catch that. Say what you would like, or press 1 to check out or to confirm, 2 to cancel."
    public var handover = "Let me put you through to a person."
    public var noInputSeconds = 6.0
    /// Re-prompts after no input or no match before handing over to a person.
    public var reprompts = 2

    public init() {}

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PhoneSettings()
        greeting = try container.decode(.greeting, default: defaults.greeting)
        noInput = try container.decode(.noInput, default: defaults.noInput)
        noMatch = try container.decode(.noMatch, default: defaults.noMatch)
        handover = try container.decode(.handover, default: defaults.handover)
        noInputSeconds = try container.decode(.noInputSeconds, default: defaults.noInputSeconds)
        reprompts = try container.decode(.reprompts, default: defaults.reprompts)
    }
}
