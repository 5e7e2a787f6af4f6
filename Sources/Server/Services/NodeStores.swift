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
    /// Whether other nodes share these stores (then order recovery runs again and again, so
    /// a live node finishes what a dead one left).
    public var isShared: Bool
    /// Where the stores are, said at start: "SQLite", or the database and this node's key
    /// (the key its session slots carry, as `pg_locks` shows its presence lock).
    public var description: String

    public static func sqlite(_ database: AppDatabase, limits: SessionLimitValues) -> NodeStores {
        NodeStores(
            shop: ShopStores(sqlite: database), webGrants: MemoryWebGrants(), limits: SessionRegistry(limits: limits), leases: OneNode(), orderNews: PollingOrderNews(every: .milliseconds(250)),
            isShared: false, description: "SQLite")
    }

    /// The shared stores on PostgreSQL, its schema migrated first (nodes starting together take
    /// turns) and this node present (`PostgresNode`).
    public static func postgres(_ location: PostgresLocation, limits: SessionLimitValues, logger: Logger) async throws -> NodeStores {
        let applied = try await PostgresMigrator(location: location, logger: logger).migrate()
        if !applied.isEmpty { logger.notice("migrated the shared database", metadata: ["migrations": "\(applied.joined(separator: ", "))"]) }
        let pool = PostgresConnections.pool(for: location, logger: logger)
        // The pool runs for the life of the process (a node's stores are used until it exits).
        Task { await pool.run() }
        let database = PostgresConnections(location: location, pool: pool, logger: logger)
        let node = PostgresNode(database: database)
        try await node.start()
        let sessionLimits = PostgresSessionLimits(database: database, node: node, limits: limits, logger: logger)
        try await sessionLimits.collectGarbage()
        return NodeStores(
            shop: ShopStores(postgres: database), webGrants: PostgresWebGrants(database: database), limits: sessionLimits, leases: node, orderNews: PostgresOrderEvents(database: database), isShared: true, description: "\(location) as node \(node.key)")
    }
}
