import Commerce
import Conversation
import Foundation
import FrontEnd
import PostgresStore
import Speech
import Store
import Yams

/// Everything `talkshop serve` can be told, with embedded defaults. Sources, later ones
/// winning: the defaults, a YAML file (`--config talkshop.yaml`), `TALKSHOP_*` environment
/// variables, command-line flags. See docs/configuration.md.
public struct ServerConfiguration: Codable, Sendable, Equatable {
    public var host = "127.0.0.1"
    public var port = 8080
    /// Database and recordings live here; created on first start.
    public var dataDirectory = AppDatabase.defaultDataDirectory
    /// The database several nodes share, `postgres://user:password@host:port/name[?sslmode=require]`
    /// (docs/deployment.md); nil: the SQLite file in the data directory, for one node.
    public var database: String?
    public var grammarsDirectory = "grammars"
    public var catalogsDirectory = "catalogs"
    /// The shop's grammar (a name in the grammars directory).
    public var grammar = "coffee"
    /// Most decoders loaded at once for each acoustic model, the base one and the noisy-room one
    /// (about 9 MB each, loaded on demand). A speaking customer
    /// holds one for the length of the utterance, so this bounds the utterances searched while
    /// spoken; more than that are decoded whole at their end (docs/performance.md).
    public var decoderPoolSize = 64
    /// Browser origins allowed to open `/v1/voice`; devices send no Origin and are not affected.
    public var allowedOrigins: [String] = []
    /// The names this server is reached at (`shop.example`, or `shop.example:8443`): a page
    /// served from one of them may open `/v1/voice` (same origin). IP addresses and localhost
    /// count without being listed; any other Host is not believed (DNS rebinding).
    public var publicHosts: [String] = []
    public var limits = Limits()
    /// The false-trigger guard for orders (docs/guards.md).
    public var guards = ConfirmationGuard.Settings()
    /// When the same words from several customers count as a broadcast (docs/guards.md).
    public var broadcast = BroadcastDetector.Settings()
    /// How long a payment call may take before the order is given up (nothing is captured).
    public var paymentTimeoutSeconds = 10.0
    /// The sandbox courier's schedule: seconds from payment to each delivery step.
    public var courier = SandboxCourier.Schedule()
    /// The retention policy file (docs/compliance.md); when this default file is missing,
    /// the built-in policy applies.
    public var retentionPolicy = "retention.yaml"
    /// The voice of spoken replies, for speakers that ask for them and for phone calls.
    public var replyVoice = Voice()
    /// Phone calls: greeting, re-prompts, hand-over (docs/phone.md).
    public var phone = PhoneSettings()
    /// The try page and its session tokens (docs/web.md).
    public var web = WebSettings()
    /// Noise suppression before the endpointer, in noisy rooms (docs/recognition.md).
    public var frontEnd = AudioFrontEnd.Configuration()
    /// When an utterance ends and which results are rejected (docs/recognition.md).
    public var recognition = RecognitionSettings()

    public struct Limits: Codable, Sendable, Equatable {
        /// Largest WebSocket frame or message, in bytes.
        public var maxMessageBytes = 64 * 1024
        /// Longest utterance, in seconds (the endpointer cuts there).
        public var maxUtteranceSeconds = 15.0
        /// Audio one session may stream in all, in seconds.
        public var maxSessionAudioSeconds = 600.0
        /// A session with no message for this long is closed.
        public var idleTimeoutSeconds = 60.0
        /// Interval of WebSocket pings.
        public var pingIntervalSeconds = 30.0
        public var maxSessionsPerDevice = 4
        public var maxSessions = 2_000
        /// Utterances (spoken or typed) a device may send per minute.
        public var utterancesPerMinutePerDevice = 30
        /// A connection's first request head (the upgrade, or any HTTP request) must arrive
        /// within this many seconds of connecting, or it is closed.
        public var requestHeadTimeoutSeconds = 10.0
        /// A keep-alive connection's next request head must arrive within this many seconds of
        /// the previous response, or it is closed.
        public var keepAliveTimeoutSeconds = 60.0
        /// Connections not yet authenticated (no request answered, or a WebSocket that has not
        /// shown its token) held at once; over this, the one waiting longest is closed.
        public var maxUnauthenticatedConnections = 1_024
        /// Connections held at once in all; over this, accepting pauses until one closes.
        /// 0: derived from the open-file limit, keeping descriptors for the database,
        /// recordings and decoders (docs/configuration.md).
        public var maxConnections = 0
        /// How often revocations made by another process (the CLI) are looked for, in seconds.
        public var revocationCheckSeconds = 0.25
        /// The longest a store call waits for a connection to the shared database, in seconds;
        /// past it the database counts as down until the readiness probe reaches it again.
        public var databaseWaitSeconds = 1.0

        public init() {}

        /// Keys missing from the file keep their defaults.
        public init(from decoder: any Decoder) throws {
            let defaults = Limits()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            maxMessageBytes = try container.decode(.maxMessageBytes, default: defaults.maxMessageBytes)
            maxUtteranceSeconds = try container.decode(.maxUtteranceSeconds, default: defaults.maxUtteranceSeconds)
            maxSessionAudioSeconds = try container.decode(.maxSessionAudioSeconds, default: defaults.maxSessionAudioSeconds)
            idleTimeoutSeconds = try container.decode(.idleTimeoutSeconds, default: defaults.idleTimeoutSeconds)
            pingIntervalSeconds = try container.decode(.pingIntervalSeconds, default: defaults.pingIntervalSeconds)
            maxSessionsPerDevice = try container.decode(.maxSessionsPerDevice, default: defaults.maxSessionsPerDevice)
            maxSessions = try container.decode(.maxSessions, default: defaults.maxSessions)
            utterancesPerMinutePerDevice = try container.decode(.utterancesPerMinutePerDevice, default: defaults.utterancesPerMinutePerDevice)
            requestHeadTimeoutSeconds = try container.decode(.requestHeadTimeoutSeconds, default: defaults.requestHeadTimeoutSeconds)
            keepAliveTimeoutSeconds = try container.decode(.keepAliveTimeoutSeconds, default: defaults.keepAliveTimeoutSeconds)
            maxUnauthenticatedConnections = try container.decode(.maxUnauthenticatedConnections, default: defaults.maxUnauthenticatedConnections)
            maxConnections = try container.decode(.maxConnections, default: defaults.maxConnections)
            revocationCheckSeconds = try container.decode(.revocationCheckSeconds, default: defaults.revocationCheckSeconds)
            databaseWaitSeconds = try container.decode(.databaseWaitSeconds, default: defaults.databaseWaitSeconds)
        }

        /// The limits the session and rate counters enforce.
        public var sessionLimits: SessionLimitValues {
            SessionLimitValues(
                maxSessions: maxSessions, maxSessionsPerDevice: maxSessionsPerDevice, utterancesPerMinutePerDevice: utterancesPerMinutePerDevice)
        }
    }

    public init() {}

    /// Keys missing from the file keep their defaults.
    public init(from decoder: any Decoder) throws {
        let defaults = ServerConfiguration()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        host = try container.decode(.host, default: defaults.host)
        port = try container.decode(.port, default: defaults.port)
        dataDirectory = try container.decode(.dataDirectory, default: defaults.dataDirectory)
        database = try container.decodeIfPresent(String.self, forKey: .database)
        grammarsDirectory = try container.decode(.grammarsDirectory, default: defaults.grammarsDirectory)
        catalogsDirectory = try container.decode(.catalogsDirectory, default: defaults.catalogsDirectory)
        grammar = try container.decode(.grammar, default: defaults.grammar)
        decoderPoolSize = try container.decode(.decoderPoolSize, default: defaults.decoderPoolSize)
        allowedOrigins = try container.decode(.allowedOrigins, default: defaults.allowedOrigins)
        publicHosts = try container.decode(.publicHosts, default: defaults.publicHosts)
        limits = try container.decode(.limits, default: defaults.limits)
        guards = try container.decode(.guards, default: defaults.guards)
        broadcast = try container.decode(.broadcast, default: defaults.broadcast)
        paymentTimeoutSeconds = try container.decode(.paymentTimeoutSeconds, default: defaults.paymentTimeoutSeconds)
        courier = try container.decode(.courier, default: defaults.courier)
        retentionPolicy = try container.decode(.retentionPolicy, default: defaults.retentionPolicy)
        replyVoice = try container.decode(.replyVoice, default: defaults.replyVoice)
        phone = try container.decode(.phone, default: defaults.phone)
        web = try container.decode(.web, default: defaults.web)
        frontEnd = try container.decode(.frontEnd, default: defaults.frontEnd)
        recognition = try container.decode(.recognition, default: defaults.recognition)
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// The policy file, or the built-in policy when the default file is absent (a file named
    /// explicitly must exist).
    public func loadRetentionPolicy() throws -> RetentionPolicy {
        if retentionPolicy == ServerConfiguration().retentionPolicy && !FileManager.default.fileExists(atPath: retentionPolicy) {
            return .builtIn
        }
        return try RetentionPolicy.load(from: URL(fileURLWithPath: retentionPolicy))
    }

    /// Reads a YAML file (keys as in this type, e.g. `port: 9000`, `limits: {maxSessions: 100}`).
    public static func load(file: String?, environment: [String: String]) throws -> ServerConfiguration {
        var configuration = ServerConfiguration()
        if let file {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw Invalid(description: "cannot read configuration file \(file): \(error.localizedDescription)")
            }
            do {
                configuration = try YAMLDecoder().decode(ServerConfiguration.self, from: text)
            } catch {
                throw Invalid(description: "\(file): \(error)")
            }
        }
        try configuration.apply(environment: environment)
        try configuration.validate()
        return configuration
    }

    /// `TALKSHOP_HOST`, `TALKSHOP_PORT`, `TALKSHOP_DATA_DIR`, `TALKSHOP_DATABASE_URL`, `TALKSHOP_GRAMMAR`,
    /// `TALKSHOP_GRAMMARS_DIR`, `TALKSHOP_CATALOGS_DIR`, `TALKSHOP_RETENTION_POLICY`, `TALKSHOP_DECODERS`, `TALKSHOP_ALLOWED_ORIGINS` (comma-separated).
    public mutating func apply(environment: [String: String]) throws {
        func integer(_ key: String) throws -> Int? {
            guard let value = environment[key] else { return nil }
            guard let number = Int(value) else { throw Invalid(description: "\(key)=\(value) is not a whole number") }
            return number
        }
        if let value = environment["TALKSHOP_HOST"] { host = value }
        if let value = try integer("TALKSHOP_PORT") { port = value }
        if let value = environment["TALKSHOP_DATA_DIR"] { dataDirectory = value }
        if let value = environment["TALKSHOP_DATABASE_URL"], !value.isEmpty { database = value }
        if let value = environment["TALKSHOP_GRAMMAR"] { grammar = value }
        if let value = environment["TALKSHOP_RETENTION_POLICY"] { retentionPolicy = value }
        if let value = environment["TALKSHOP_GRAMMARS_DIR"] { grammarsDirectory = value }
        if let value = environment["TALKSHOP_CATALOGS_DIR"] { catalogsDirectory = value }
        if let value = try integer("TALKSHOP_DECODERS") { decoderPoolSize = value }
        if let value = environment["TALKSHOP_ALLOWED_ORIGINS"] {
            allowedOrigins = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        if let value = environment["TALKSHOP_PUBLIC_HOSTS"] {
            publicHosts = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
    }

    public func validate() throws {
        guard (0...65_535).contains(port) else { throw Invalid(description: "port \(port) is out of range") }
        if let database {
            do { _ = try PostgresLocation(url: database) } catch { throw Invalid(description: "database: \(error)") }
        }
        guard decoderPoolSize > 0 else { throw Invalid(description: "decoderPoolSize must be at least 1") }
        guard limits.maxMessageBytes >= 1_024 else { throw Invalid(description: "limits.maxMessageBytes must be at least 1024") }
        guard limits.databaseWaitSeconds > 0 else { throw Invalid(description: "limits.databaseWaitSeconds must be positive") }
        guard limits.maxUtteranceSeconds > 0, limits.maxSessionAudioSeconds > 0, limits.idleTimeoutSeconds > 0,
            limits.requestHeadTimeoutSeconds > 0, limits.keepAliveTimeoutSeconds > 0, limits.revocationCheckSeconds > 0
        else {
            throw Invalid(description: "limits in seconds must be positive")
        }
        guard limits.maxUnauthenticatedConnections > 0, limits.maxConnections >= 0 else {
            throw Invalid(description: "limits.maxUnauthenticatedConnections must be at least 1 and limits.maxConnections at least 0 (0: derived)")
        }
        guard WebSettings.sessionModes.contains(web.sessions), web.tokenSeconds > 0, web.tokensPerClient > 0 else {
            throw Invalid(
                description: "web.sessions must be one of \(WebSettings.sessionModes.joined(separator: ", ")), web.tokenSeconds and web.tokensPerClient positive")
        }
        guard phone.noInputSeconds > 0, phone.reprompts >= 0 else {
            throw Invalid(description: "phone.noInputSeconds must be positive and phone.reprompts at least 0")
        }
        guard (80...450).contains(replyVoice.wordsPerMinute), (0...99).contains(replyVoice.pitch) else {
            throw Invalid(description: "replyVoice.wordsPerMinute must be within 80…450 and replyVoice.pitch within 0…99")
        }
        guard guards.confirmationWindowSeconds > 0, (0...1).contains(guards.minimumConfidence) else {
            throw Invalid(description: "guards.confirmationWindowSeconds must be positive and guards.minimumConfidence within 0…1")
        }
        guard broadcast.customers >= 2 else { throw Invalid(description: "broadcast.customers must be at least 2") }
        guard paymentTimeoutSeconds > 0 else { throw Invalid(description: "paymentTimeoutSeconds must be positive") }
        let silences = [recognition.completeSentenceSilenceMilliseconds, recognition.finishedSentenceSilenceMilliseconds]
        guard recognition.trailingSilenceMilliseconds >= 100, silences.allSatisfy({ (0...recognition.trailingSilenceMilliseconds).contains($0) }) else {
            throw Invalid(description: "recognition.trailingSilenceMilliseconds must be at least 100, and the sentence silences within 0 (off) … the trailing silence")
        }
        guard (0...1).contains(recognition.nearMissShareOfACore) else {
            throw Invalid(description: "recognition.nearMissShareOfACore must be within 0 … 1 (a share of one core)")
        }
        guard recognition.nearMissWaitMilliseconds >= 0 else {
            throw Invalid(description: "recognition.nearMissWaitMilliseconds must not be negative")
        }
    }
}
