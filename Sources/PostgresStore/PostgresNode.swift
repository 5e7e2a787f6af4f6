import Foundation
import Logging
import PostgresNIO
import Store

/// One node's presence in the shared database, and the leases it takes.
///
/// A node holds one connection for its life, with a session-level advisory lock on its own
/// key. PostgreSQL releases a session's advisory locks the moment the session ends — a clean
/// stop, a SIGKILL, a lost machine (when TCP gives up) — so "the node's lock is held" is the
/// node's heartbeat, and nothing has to expire. Session slots carry the node's key and count
/// only while that lock is held (`PostgresSessionLimits`); a lease is another advisory lock on
/// the same connection, so a dead node's lease passes to the next node that asks.
public actor PostgresNode: Leases {
    /// The first key of the node locks (`pg_locks.classid`); the second is the node's key.
    public static let nodeLockSpace: Int32 = 0x7A1C
    /// The first key of the lease locks; the second is the lease name's hash.
    public static let leaseLockSpace: Int32 = 0x7A1D

    /// This node's key, random per process: a restarted node is a new node.
    public nonisolated let key: Int32
    private let database: PostgresConnections
    private var connection: PostgresConnection?
    /// The connecting in progress: callers arriving meanwhile wait for it rather than open a
    /// second connection, whose lock on the same key would wait for the first one for ever.
    private var connecting: Task<PostgresConnection, any Error>?
    private var leasesHeld: Set<String> = []

    public init(database: PostgresConnections, key: Int32 = Int32.random(in: 1...Int32.max)) {
        self.database = database
        self.key = key
    }

    /// The presence connection, opened and the node's lock taken if it is not open.
    func presence() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        if let connecting { return try await connecting.value }
        let (database, key) = (self.database, self.key)
        let attempt = Task {
            let logger = database.logger
            do {
                let opened = try await PostgresConnection.connect(configuration: database.location.configuration, id: Int(key), logger: logger)
                try await opened.query("SELECT pg_advisory_lock(\(Self.nodeLockSpace), \(key))", logger: logger)
                return opened
            } catch {
                throw PostgresProblem("cannot connect to \(database.location)", error)
            }
        }
        connecting = attempt
        defer { connecting = nil }
        let opened = try await attempt.value
        connection = opened
        leasesHeld = []  // a new session holds none
        return opened
    }

    /// Takes the node's lock; from now on its session slots count.
    public func start() async throws {
        _ = try await presence()
    }

    /// Ends the presence: the node's slots stop counting and its leases are released, as if it
    /// had died.
    public func stop() async {
        try? await connection?.close()  // closing is the release; a failed goodbye ends the session too
        connection = nil
        leasesHeld = []
    }

    /// Whether this node owns the lease `name`, taking it when no live node holds it. The lease
    /// is an advisory lock of the presence session: it stays with this node, with nothing to
    /// renew, until the node stops or its session ends (a crash, a lost connection); then the
    /// next node that asks takes it. A new presence session (after a lost connection) holds
    /// none, and asks again.
    public func owns(_ name: String) async throws -> Bool {
        let connection = try await presence()
        guard !leasesHeld.contains(name) else { return true }
        var granted = false
        do {
            for try await taken in try await connection.query(
                "SELECT pg_try_advisory_lock(\(Self.leaseLockSpace), hashtext(\(name)))", logger: database.logger
            ).decode(Bool.self) { granted = taken }
        } catch {
            throw PostgresProblem("taking the lease \(name)", error)
        }
        // The presence may have been replaced while asking: only its own session's lock counts.
        guard granted, connection === self.connection else { return false }
        leasesHeld.insert(name)
        return true
    }

    public nonisolated var actorName: String { "system (node \(key))" }

    /// Which node (by key) holds each of `names` now, read on any connection: for `talkshop db
    /// status`. A lease nobody holds is absent.
    public static func leaseHolders(_ names: [String], database: PostgresConnections) async throws -> [String: Int32] {
        try await database.withConnection { connection, logger in
            var holders: [String: Int32] = [:]
            for name in names {
                let rows = try await connection.query(
                    """
                    SELECT node.objid::bigint FROM pg_locks lease JOIN pg_locks node ON node.pid = lease.pid
                    WHERE lease.locktype = 'advisory' AND lease.granted AND lease.classid::bigint = \(Int(leaseLockSpace))
                      AND lease.objid::bigint = (hashtext(\(name))::bigint & 4294967295)
                      AND node.locktype = 'advisory' AND node.granted AND node.classid::bigint = \(Int(nodeLockSpace))
                    """, logger: logger)
                for try await key in rows.decode(Int.self) { holders[name] = Int32(truncatingIfNeeded: key) }
            }
            return holders
        }
    }

    /// The SQL condition "the node whose key is in `column` is alive", for queries on any connection.
    public static func isAlive(_ column: String) -> String {
        """
        EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid::bigint = \(nodeLockSpace) AND objid::bigint = \(column))
        """
    }
}
