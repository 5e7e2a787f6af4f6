import Commerce
import Conversation
import Foundation
import FrontEnd
import Grammar
import Logging
import Orders
import PostgresStore
import Recognition
import Speech
import Store

/// What every session shares: configuration, recogniser, stores, order pipeline, guards,
/// limits and metrics.
public struct TalkshopServices: Sendable {
    public let configuration: ServerConfiguration
    public let recognizer: SpeechRecognizer
    /// The node's SQLite file: turns, recordings and the retention desk's records (one node's,
    /// also when the shared stores are on PostgreSQL: docs/deployment.md).
    public let database: AppDatabase
    public let devices: any DeviceStorage
    public let sessions: any ConversationStorage
    /// Stores the sessions' turns (`stores.turnLog`) in the background, in order.
    public let turns: TurnArchive
    /// Holds, purges, erasure, sweeps and exports, all audited (`stores.retention`).
    public let retention: RetentionOffice
    public let policy: RetentionPolicy
    public let staff: any StaffStorage
    /// Short-lived tokens for the try page.
    public let web: WebSessions
    /// Each client address's share of the demo endpoint's web session tokens.
    let webAllowance: ClientAllowance
    /// Synthesizes and caches spoken replies in the shop's voice.
    public let replies: ReplyVoice
    public let orders: any OrderStorage
    public let customers: any CustomerStorage
    public let catalog: any CatalogStorage
    /// The stores as configured: where they are, whether other nodes share them, the leases
    /// (one node at a time runs the order recovery) and how order news arrives.
    public let stores: NodeStores
    public let pipeline: OrderPipeline
    /// The sandbox courier the pipeline dispatches to; the server drives its clock.
    public let courier: SandboxCourier
    public let channels: CustomerChannels
    public let broadcasts: BroadcastWatch
    /// Session and utterance limits, counted where every node sees them.
    public let registry: any SessionLimits
    /// The open sessions, so a revocation can end them.
    public let openSessions: OpenSessions
    public let metrics: Metrics
    public let logger: Logger
    /// What answer windows, token lifetimes, PIN lockouts and idle timeouts are measured on.
    public let clock: any WallClock

    public init(
        configuration: ServerConfiguration, recognizer: SpeechRecognizer, database: AppDatabase, stores: NodeStores,
        policy: RetentionPolicy, gateway: any PaymentGateway = SandboxPaymentGateway(), clock: any WallClock = SystemClock(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.clock = clock
        self.recognizer = recognizer
        self.database = database
        self.devices = stores.shop.devices
        self.sessions = stores.shop.conversations
        self.turns = TurnArchive(log: stores.turnLog, logger: logger)
        self.policy = policy
        self.retention = stores.retention
        self.staff = stores.shop.staff
        self.webAllowance = ClientAllowance(perClient: configuration.web.tokensPerClient)
        self.web = WebSessions(devices: stores.shop.devices, grants: stores.webGrants, lifetime: configuration.web.tokenSeconds, clock: clock)
        self.replies = ReplyVoice(voice: configuration.replyVoice)
        self.orders = stores.shop.orders
        self.customers = stores.shop.customers
        self.catalog = stores.shop.catalog
        self.stores = stores
        self.courier = SandboxCourier(schedule: configuration.courier)
        let metrics = Metrics()
        var pipeline = OrderPipeline(
            orders: orders, customers: customers, gateway: gateway, fulfilment: courier,
            paymentTimeout: .milliseconds(Int(configuration.paymentTimeoutSeconds * 1_000)), logger: logger)
        pipeline.refundFailed = { _, refusal in metrics.increment(.refundFailures, label: refusal.code.rawValue) }
        self.pipeline = pipeline
        self.channels = CustomerChannels()
        self.registry = stores.limits
        self.openSessions = OpenSessions()
        self.metrics = metrics
        self.broadcasts = BroadcastWatch(settings: configuration.broadcast, metrics: metrics, logger: logger)
        self.logger = logger
        // Series that exist from the start, so dashboards see zeros rather than gaps.
        for counter in [Metrics.Counter.sessions, .utterances, .intents, .orders, .broadcastsDetected] { metrics.increment(counter, by: 0) }
        metrics.adjust(.sessionsOpen, by: 0)
    }

    /// Loads the grammar, builds the decoder pool, opens the database (and the shared one when
    /// configured), the key vault and the retention policy, and seeds an empty catalog from the
    /// shop's catalog file, as configured.
    public static func make(
        configuration: ServerConfiguration, database: AppDatabase? = nil, gateway: any PaymentGateway = SandboxPaymentGateway(),
        clock: any WallClock = SystemClock(), logger: Logger
    ) async throws -> TalkshopServices {
        let grammarsDirectory = URL(fileURLWithPath: configuration.grammarsDirectory)
        let loader = GrammarLoader(
            directory: grammarsDirectory, catalogDirectory: URL(fileURLWithPath: configuration.catalogsDirectory))
        let grammar = try loader.load(configuration.grammar)
        try AudioFrontEnd.check(configuration.frontEnd)
        let lexicon = try Lexicon.standard(grammarDirectory: grammarsDirectory)
        let dataDirectory = URL(fileURLWithPath: configuration.dataDirectory)
        let noisyRoomModel = NoisyRoomModel.resolve(configuration.recognition.noisyRoomModel, denoiser: configuration.frontEnd.denoiser.rawValue)
        if let unused = noisyRoomModel.unused { logger.warning("\(unused)") }
        var recognizer = try SpeechRecognizer.make(
            grammar: grammar, lexicon: lexicon, workDirectory: dataDirectory.appendingPathComponent("decoder"),
            poolSize: configuration.decoderPoolSize, noisyRoomModel: noisyRoomModel.directory,
            verifyNearMisses: configuration.recognition.rejectNearMisses,
            verificationBudget: configuration.recognition.verificationBudget)
        recognizer.unverifiedIntents = Set(Command.onlyAsking.map(\.rawValue))
        let shopCatalog = try CatalogFile.load(
            URL(fileURLWithPath: configuration.catalogsDirectory).appendingPathComponent("\(configuration.grammar).yaml"))
        let database = try database ?? AppDatabase.open(at: dataDirectory.appendingPathComponent("talkshop.sqlite"))
        let limits = configuration.limits.sessionLimits
        let stores: NodeStores
        if let shared = configuration.database {
            stores = try await NodeStores.postgres(
                PostgresLocation(url: shared), keyEncryptionKey: try KeyVault.sharedKeyEncryptionKey(), limits: limits,
                connectionWait: .milliseconds(Int(configuration.limits.databaseWaitSeconds * 1_000)), logger: logger)
        } else {
            stores = try NodeStores.sqlite(database, dataDirectory: dataDirectory, limits: limits)
        }
        try await stores.shop.catalog.seedIfEmpty(with: shopCatalog)
        return TalkshopServices(
            configuration: configuration, recognizer: recognizer, database: database, stores: stores,
            policy: try configuration.loadRetentionPolicy(), gateway: gateway, clock: clock, logger: logger)
    }
}
