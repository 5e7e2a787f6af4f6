import Grammar

/// The intents the dialog machine acts on, by the names grammar files give them
/// (docs/grammar.md). A grammar may define others; the dialog answers those with "What would
/// you like?".
public enum Command: String, Sendable, CaseIterable {
    case orderDrink, addItem, chooseOption, cartContents, removeItem, removeProduct, checkout, cancelOrder
    case orderStatus, whereIsMyOrder, orderTheUsual, speakToPerson, help
    /// Answers, acted on while a confirmation or PIN is awaited.
    case yes, no, pinDigits

    /// Questions whose answer changes nothing: the recogniser accepts them without the
    /// near-miss verifier's extra search (a near miss costs a re-ask; waiting costs every caller).
    public static let onlyAsking: Set<Command> = [.cartContents, .orderStatus, .whereIsMyOrder, .help]
}

extension Intent {
    /// What the dialog makes of this intent (nil: a name it does not act on).
    public var command: Command? { Command(rawValue: name) }

    /// An intent given without words, such as a phone key with a known meaning.
    public init(_ command: Command, slots: [String: String] = [:], text: String) {
        self.init(name: command.rawValue, slots: slots, text: text)
    }
}
