import ArgumentParser

@main
struct TalkshopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "talkshop",
        abstract: "Talkshop: the voice back end for conversational commerce.",
        discussion: """
            Run `talkshop serve` to start the server.
            Shop staff: customers, devices, catalog, orders, report (conversation analytics). Compliance: retention, audit, keys, staff (admin API tokens).
            Operators: db (schema migrations).
            Developers: say, call, decode, bench, audio, grammar.
            Every subcommand has its own --help.
            """,
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, SayCommand.self, CallCommand.self, CustomersCommand.self, DeviceCommand.self, CatalogCommand.self, OrdersCommand.self,
            RetentionCommand.self, AuditCommand.self, KeysCommand.self, ReportCommand.self, StaffCommand.self, DatabaseCommand.self, DecodeCommand.self, BenchCommand.self, AudioCommand.self, GrammarCommand.self,
        ]
    )
}
