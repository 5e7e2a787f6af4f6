import Foundation
import GRDB

/// Talkshop's SQLite database: migrations, connection set-up, and the stores built on it.
///
/// Follows GRDB's conventions: one record type per table, shipped migrations never edited,
/// tests on a fresh in-memory database.
public final class AppDatabase: Sendable {
    public let writer: any DatabaseWriter

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Self.migrator.migrate(writer)
    }

    /// Where the server and the staff commands keep the database, keys and recordings unless
    /// told otherwise (`dataDirectory`, `--data-directory`, `TALKSHOP_DATA_DIR`).
    public static let defaultDataDirectory = "var"

    /// Opens (creating if needed) the database file in WAL mode with secure deletion on, so
    /// deleted rows are overwritten rather than left in free pages; applies the migrations
    /// it lacks.
    public static func open(at url: URL) throws -> AppDatabase {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // Orders are money: a commit must survive a power cut, not just a crash. SQLite
            // sets this per connection, so it covers every table.
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        return try AppDatabase(DatabasePool(path: url.path, configuration: configuration))
    }

    /// An empty database in memory, for tests.
    public static func inMemory() throws -> AppDatabase {
        var configuration = Configuration()
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA secure_delete = ON") }
        return try AppDatabase(DatabaseQueue(configuration: configuration))
    }

    /// Every migration's identifier, in the order they apply.
    public static var migrationIdentifiers: [String] { migrator.migrations }

    /// What `open(at:)` would apply to the file at `url`, without changing it (all pending
    /// when there is no file yet).
    public static func migrationStatus(at url: URL) throws -> MigrationStatus {
        let known = migrator.migrations
        guard FileManager.default.fileExists(atPath: url.path) else { return MigrationStatus(applied: [], pending: known, unknown: []) }
        var configuration = Configuration()
        configuration.readonly = true
        let applied = try DatabaseQueue(path: url.path, configuration: configuration).read { db in try migrator.appliedIdentifiers(db) }
        return MigrationStatus(
            applied: known.filter(applied.contains), pending: known.filter { !applied.contains($0) },
            unknown: applied.subtracting(known).sorted())
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: devices, conversations, sessions") { db in
            try db.create(table: "device") { table in
                table.primaryKey("id", .text)
                table.column("name", .text).notNull()
                table.column("customerId", .text).notNull()
                table.column("tokenHash", .text).notNull().unique()
                table.column("createdAt", .datetime).notNull()
                table.column("revokedAt", .datetime)
            }
            try db.create(table: "conversation") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).notNull().indexed()
                table.column("dialogState", .text).notNull()
                table.column("createdAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "session") { table in
                table.primaryKey("id", .text)
                table.column("deviceId", .text).notNull().indexed().references("device")
                table.column("conversationId", .text).references("conversation")
                table.column("channel", .text).notNull()
                table.column("startedAt", .datetime).notNull()
                table.column("endedAt", .datetime)
                table.column("endReason", .text)
                table.column("utterances", .integer).notNull().defaults(to: 0)
                table.column("audioSeconds", .double).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("v2: orders") { db in
            try db.create(table: "order") { table in
                table.primaryKey("id", .text)
                table.column("customerId", .text).notNull().indexed()
                table.column("deviceId", .text).notNull()
                table.column("status", .text).notNull()
                table.column("totalMinorUnits", .integer).notNull()
                table.column("currency", .text).notNull()
                table.column("linesJSON", .text).notNull()
                table.column("idempotencyKey", .text).notNull().unique()
                table.column("createdAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v3: customers, catalog, order events, payments, turns") { db in
            try Self.createCommerceTables(db)
        }
        migrator.registerMigration("v4: audit trail") { db in
            try db.create(table: "auditEntry") { table in
                table.primaryKey("sequence", .integer)
                table.column("at", .datetime).notNull()
                table.column("actor", .text).notNull()
                table.column("action", .text).notNull()
                table.column("subject", .text).notNull()
                table.column("reason", .text).notNull()
                table.column("countsJSON", .text).notNull()
                table.column("previousHash", .text).notNull()
                table.column("hash", .text).notNull().unique()
            }
        }
        migrator.registerMigration("v5: legal holds") { db in
            try db.create(table: "legalHold") { table in
                table.primaryKey("id", .text)
                table.column("scope", .text).notNull()
                table.column("subjectId", .text).notNull().indexed()
                table.column("reason", .text).notNull()
                table.column("placedBy", .text).notNull()
                table.column("placedAt", .datetime).notNull()
                table.column("releasedBy", .text)
                table.column("releasedAt", .datetime)
            }
        }
        migrator.registerMigration("v6: recordings, keys, retention") { db in
            try Self.createRetentionTables(db)
        }
        migrator.registerMigration("v7: customer phone numbers") { db in
            try db.alter(table: "customer") { table in
                // E.164, e.g. +15551234567: how a phone caller is recognised.
                table.add(column: "phone", .text)
            }
            try db.create(index: "customer_on_phone", on: "customer", columns: ["phone"], unique: true)
        }
        migrator.registerMigration("v8: cart versions, orders per cart version, revoked customers") { db in
            try db.alter(table: "conversation") { table in
                // Bumped by every change of the cart; a read-back confirms one version.
                table.add(column: "cartVersion", .integer).notNull().defaults(to: 0)
            }
            try db.alter(table: "order") { table in
                table.add(column: "conversationId", .text)
                table.add(column: "cartVersion", .integer)
            }
            // At most one order per cart version of a conversation, whatever the sessions do.
            try db.create(
                index: "order_on_conversation_cart", on: "order", columns: ["conversationId", "cartVersion"], unique: true,
                condition: Column("conversationId") != nil)
            try db.alter(table: "customer") { table in
                table.add(column: "revokedAt", .datetime)
            }
        }
        migrator.registerMigration("v9: limits shared by nodes") { db in
            // A session's slot, held by the node serving it (PostgreSQL; one SQLite node counts in memory).
            try db.create(table: "sessionSlot") { table in
                table.column("id", .text).primaryKey()
                table.column("deviceId", .text).notNull().indexed()
                table.column("nodeKey", .integer).notNull()
                table.column("openedAt", .datetime).notNull()
            }
            // A device's utterances in one minute (minutes since 1970), for the per-minute limit.
            try db.create(table: "utteranceCount") { table in
                table.column("deviceId", .text).notNull()
                table.column("minute", .integer).notNull()
                table.column("count", .integer).notNull()
                table.primaryKey(["deviceId", "minute"])
            }
        }
        migrator.registerMigration("v10: keys and recordings in the database") { db in
            // A customer's data key, wrapped by the key-encryption key (PostgreSQL; one SQLite
            // node keeps its wrapped keys as files under keys/).
            try db.create(table: "customerKey") { table in
                table.primaryKey("customerId", .text)
                table.column("wrappedKey", .blob).notNull()
                table.column("createdAt", .datetime).notNull()
            }
            // A recording's sealed Ogg Opus bytes (PostgreSQL; SQLite keeps them as files).
            try db.create(table: "recordingData") { table in
                table.primaryKey("recordingId", .text)
                table.column("sealed", .blob).notNull()
            }
        }
        migrator.registerMigration("v11: web session tokens in the database") { db in
            // The try page's short-lived tokens, by SHA-256 (PostgreSQL; one SQLite node keeps them in memory).
            try db.create(table: "webGrant") { table in
                table.primaryKey("tokenHash", .text)
                table.column("deviceId", .text).notNull()
                table.column("expiresAt", .datetime).notNull().indexed()
            }
        }
        migrator.registerMigration("v12: ended web session tokens") { db in
            // An ended token is kept, marked, until it expires: every node's revocation watch
            // reads it and closes the sessions it opened there.
            try db.alter(table: "webGrant") { table in table.add(column: "revokedAt", .datetime) }
        }
        migrator.registerMigration("v13: conversation analytics") { db in
            // One row per contact: counts, times and outcomes, never words or audio (docs/analytics.md).
            try db.create(table: "contact") { table in
                table.primaryKey("sessionId", .text)
                table.column("conversationId", .text).indexed()
                table.column("customerId", .text).indexed()
                table.column("channel", .text).notNull()
                table.column("startedAt", .datetime).notNull()
                table.column("endedAt", .datetime).notNull().indexed()
                table.column("topic", .text)
                table.column("countsJSON", .text).notNull()
                table.column("endedAsking", .text)
                table.column("trailingRejections", .integer).notNull()
                table.column("secondsToOrder", .double)
                table.column("rebuilt", .boolean).notNull().defaults(to: false)
            }
        }
        migrator.registerMigration("v14: orders told to the customer") { db in
            // An order without a row here was written but its customer never heard of it (the
            // node died during the payment): the conversation, resumed, tells them.
            try db.create(table: "orderAnnouncement") { table in
                table.primaryKey("orderId", .text).references("order", onDelete: .cascade)
                table.column("announcedAt", .datetime).notNull()
            }
            try db.execute(sql: #"INSERT INTO "orderAnnouncement" ("orderId", "announcedAt") SELECT "id", "createdAt" FROM "order""#)
        }
        return migrator
    }
}
