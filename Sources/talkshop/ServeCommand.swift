import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Server
import Store

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the voice server: WebSocket /v1/voice, the try page at /try, /healthz, /metrics.",
        discussion: """
            Embedded defaults: 127.0.0.1:8080, database under ./var/, grammar 'coffee' from
            ./grammars. On first start a demo customer (PIN 1234, sandbox Visa) and a demo
            device are registered and the device's token printed.
            Several nodes: --database postgres://… (or TALKSHOP_DATABASE_URL) names the
            database they share; its schema is migrated at start, and no demo customer is
            made there (docs/deployment.md).
            Configuration: --config talkshop.yaml, then TALKSHOP_* variables, then these flags
            (docs/configuration.md). SIGTERM or Ctrl-C shuts down gracefully.
            """)

    @Option(help: "YAML configuration file.")
    var config: String?

    @Option(help: "Address to listen on.")
    var host: String?

    @Option(help: "Port to listen on (0: any free port).")
    var port: Int?

    @Option(help: "Directory for the database and recordings.")
    var dataDirectory: String?

    @Option(help: "The PostgreSQL database several nodes share, postgres://user[:password]@host[:port]/name[?sslmode=require].")
    var database: String?

    @Option(help: "The shop's grammar.")
    var grammar: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        OpenFileLimit.raise()
        var configuration = try ServerConfiguration.load(file: config, environment: ProcessInfo.processInfo.environment)
        if let host { configuration.host = host }
        if let port { configuration.port = port }
        if let dataDirectory { configuration.dataDirectory = dataDirectory }
        if let grammar { configuration.grammar = grammar }
        if let database { configuration.database = database }
        try configuration.validate()

        var logger = Logger(label: "talkshop")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        let services = try await TalkshopServices.make(configuration: configuration, logger: logger)
        services.metrics.bootstrapProcess()
        try await services.recognizer.warmUp(ProcessInfo.processInfo.activeProcessorCount)
        if configuration.database == nil { try await Self.registerDemoDeviceIfNeeded(services) }

        let settings = configuration
        let app = buildApplication(services: services) { channel in
            let configuration = settings
            let address = channel.localAddress.map { "\($0.ipAddress ?? configuration.host):\($0.port ?? configuration.port)" }
            Console.line("talkshop listening on ws://\(address ?? "?")/v1/voice (grammar \(configuration.grammar), \(configuration.decoderPoolSize) decoders)")
            if configuration.web.page { Console.line("try page: http://\(address ?? "?")/try") }
            if configuration.database != nil { Console.line("shared database: \(services.stores.description)") }
        }
        try await app.runService()
        await services.turns.flush()
    }

    /// The embedded default: one demo device for a demo customer, created on first start.
    static func registerDemoDeviceIfNeeded(_ services: TalkshopServices) async throws {
        let devices = try await services.devices.all()
        // Also for a database from before customers existed, whose demo device has none.
        if devices.isEmpty || devices.contains(where: { $0.customerId == "demo-customer" }),
            try await services.customers.customer("demo-customer") == nil
        {
            try await services.customers.add(.init(
                id: "demo-customer", name: "Demo Customer", pin: "1234", paymentMethod: (token: "pm_card_visa", label: "Visa ending 4242"),
                address: "1 Demo Street"))
        }
        guard devices.isEmpty else { return }
        let (device, token) = try await services.devices.register(
            name: "demo speaker", customerId: "demo-customer", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker")
        Console.line("""
            First start: registered customer 'Demo Customer' (demo-customer, PIN 1234, sandbox Visa) and
            device '\(device.name)' (\(device.id)). The device's token, shown only now:

                \(token)

            Try it:  talkshop say --token \(token) audio-fixtures/large-latte.opus "text:check out" audio-fixtures/yes.opus --stay 35

            """)
    }
}
