import Commerce
import Foundation
import Grammar
import Logging
import Recognition
import Store

/// What every session shares: configuration, recogniser, stores, limits and metrics.
public struct TalkshopServices: Sendable {
    public let configuration: ServerConfiguration
    public let recognizer: SpeechRecognizer
    public let database: AppDatabase
    public let devices: DeviceRegistry
    public let sessions: SessionLog
    public let orders: OrderBook
    public let catalog: Catalog
    public let registry: SessionRegistry
    public let metrics: Metrics
    public let logger: Logger

    public init(
        configuration: ServerConfiguration, recognizer: SpeechRecognizer, catalog: Catalog, database: AppDatabase, logger: Logger
    ) {
        self.configuration = configuration
        self.catalog = catalog
        self.orders = OrderBook(database: database)
        self.recognizer = recognizer
        self.database = database
        self.devices = DeviceRegistry(database: database)
        self.sessions = SessionLog(database: database)
        self.registry = SessionRegistry(limits: configuration.limits)
        self.metrics = Metrics()
        self.logger = logger
        // Series that exist from the start, so dashboards see zeros rather than gaps.
        for name in ["talkshop_sessions_total", "talkshop_utterances_total", "talkshop_intents_total"] { metrics.increment(name, by: 0) }
        metrics.adjust(gauge: "talkshop_sessions_open", by: 0)
    }

    /// Loads the grammar, builds the decoder pool and opens the database, as configured.
    public static func make(configuration: ServerConfiguration, database: AppDatabase? = nil, logger: Logger) throws -> TalkshopServices {
        let grammarsDirectory = URL(fileURLWithPath: configuration.grammarsDirectory)
        let loader = GrammarLoader(
            directory: grammarsDirectory, catalogDirectory: URL(fileURLWithPath: configuration.catalogsDirectory))
        let grammar = try loader.load(configuration.grammar)
        let lexicon = try Lexicon.standard(grammarDirectory: grammarsDirectory)
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory)
        let recognizer = try SpeechRecognizer.make(
            grammar: grammar, lexicon: lexicon, workDirectory: dataDirectory.appendingPathComponent("decoder"),
            poolSize: configuration.decoderPoolSize)
        let catalog = try CatalogFile.load(
            URL(fileURLWithPath: configuration.catalogsDirectory).appendingPathComponent("\(configuration.grammar).yaml"))
        let database = try database ?? AppDatabase.open(at: dataDirectory.appendingPathComponent("talkshop.sqlite"))
        return TalkshopServices(configuration: configuration, recognizer: recognizer, catalog: catalog, database: database, logger: logger)
    }
}
