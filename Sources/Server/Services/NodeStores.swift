import Commerce
import Crypto
import Foundation
import Logging
import PostgresStore
import Store

/// The stores a node works through: all on the SQLite file in its data directory (one node),
/// or, when `database:` names PostgreSQL, the ones several nodes must share on that database.
/// The rest of the server sees only the protocols.
public struct NodeStores: Sendable {
    /// Devices, customers, catalog, orders, conversations, staff tokens.
    public var shop: ShopStores
    /// The try page's web session tokens.
    public var webGrants: any WebGrants
    public var limits: any SessionLimits
    public var leases: any Leases
    /// How the order-update feed hears of new events: polling the local file, or PostgreSQL's
    /// notifications.
    public var orderNews: any OrderNews
    /// Where the turns heard are stored, sealed under each customer's key.
    public var turnLog: any TurnStorage
    /// Holds, purges, erasure, sweeps and exports over those turns, all audited.
    public var retention: RetentionOffice
    /// Whether the node can reach these stores now (`/readyz`).
    public var readiness: any StoreReadiness
    /// Whether other nodes share these stores (then order recovery runs again and again, so
    /// a live node finishes what a dead one left).
    public var isShared: Bool
    /// Where the stores are, said at start: "SQLite", or the database and this node's key
    /// (the key its session slots carry, as `pg_locks` shows its presence lock).
    public var description: String

    /// The stores in the data directory: the SQLite file, the key vault, the sealed recordings
    /// and the audit head.
    public static func sqlite(_ database: AppDatabase, dataDirectory: URL, limits: SessionLimitValues) throws -> NodeStores {
        let recorder = try SQLiteTurnStorage.open(database: database, dataDirectory: dataDirectory)
        return NodeStores(
            shop: ShopStores(sqlite: database), webGrants: MemoryWebGrants(), limits: MemorySessionLimits(limits: limits), leases: OneNode(),
            orderNews: PollingOrderNews(every: .milliseconds(250)), turnLog: recorder,
            retention: RetentionOffice(sqlite: recorder, audit: SQLiteAuditStorage(database: database, headFile: SQLiteAuditStorage.headFile(in: dataDirectory))),
            readiness: LocalStoresReady(), isShared: false, description: "SQLite")
    }

    /// The shared stores on PostgreSQL, its schema migrated first (nodes starting together take
    /// turns) and this node present (`PostgresNode`).
    /// Every node must be given the same key-encryption key (`KeyVault.sharedKeyEncryptionKey`).
    public static func postgres(
        _ location: PostgresLocation, keyEncryptionKey: SymmetricKey, limits: SessionLimitValues, connectionWait: Duration = .seconds(1),
        logger: Logger
    ) async throws -> NodeStores {
        let applied = try await PostgresMigrator(location: location, logger: logger).migrate()
        if !applied.isEmpty { logger.notice("migrated the shared database", metadata: ["migrations": "\(applied.joined(separator: ", "))"]) }
        let pool = PostgresConnections.pool(for: location, logger: logger)
        // The pool runs for the life of the process (a node's stores are used until it exits).
        Task { await pool.run() }
        let database = PostgresConnections(location: location, pool: pool, logger: logger, connectionWait: connectionWait)
        let node = PostgresNode(database: database)
        try await node.start()
        let sessionLimits = PostgresSessionLimits(database: database, node: node, limits: limits, logger: logger)
        try await sessionLimits.collectGarbage()
        let shop = ShopStores(postgres: database)
        let turns = PostgresTurnStorage(database: database, vault: PostgresKeyVault(database: database, keyEncryptionKey: keyEncryptionKey))
        return NodeStores(
            shop: shop, webGrants: PostgresWebGrants(database: database), limits: sessionLimits, leases: node,
            orderNews: PostgresOrderNews(database: database), turnLog: turns,
            retention: RetentionOffice(postgres: database, turns: turns, orders: shop.orders, customers: shop.customers),
            readiness: database.reachability ?? LocalStoresReady(), isShared: true, description: "\(location) as node \(node.key)")
    }
}
