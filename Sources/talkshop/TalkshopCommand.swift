import ArgumentParser

@main
struct TalkshopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "talkshop",
        abstract: "Talkshop: the voice back end for conversational commerce.",
        discussion: """
            Run `talkshop serve` to start the server, or use the tools below to inspect audio.
            Every subcommand has its own --help.
            """,
        version: "0.1.0",
        subcommands: [ServeCommand.self, SayCommand.self, DeviceCommand.self, DecodeCommand.self, BenchCommand.self, AudioCommand.self, GrammarCommand.self]
    )
}
