import ArgumentParser
import Grammar

/// `--state main|confirmation|pin`; anything else is refused with the list of states.
extension DialogState: ExpressibleByArgument {}
