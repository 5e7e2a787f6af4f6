/// Something said to the customer, and the kind of answer listened for after it. Every
/// sentence is written in `Prompts.swift`, beside the dialog machine.
public struct Prompt: Sendable, Equatable {
    /// What the device should listen for next (sent as `expect` with the prompt).
    public enum Expect: String, Sendable {
        case command
        /// A yes or no.
        case confirmation
        /// The four PIN digits.
        case pin
        /// Nothing: a person takes over.
        case none
    }

    public var text: String
    public var expect: Expect

    public init(_ text: String, expect: Expect = .command) {
        self.text = text
        self.expect = expect
    }
}
