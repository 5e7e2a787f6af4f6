import GRDB

extension AppDatabase {
    /// Migration v6: encrypted recordings and transcripts linked to customer, device, session
    /// and order; device classes and audio consent for the retention policy; deferred
    /// erasure requests; staff tokens for the admin API.
    static func createRetentionTables(_ db: Database) throws {
        try db.alter(table: "device") { table in
            // The retention policy can differ per class: speaker, phone, web.
            table.add(column: "deviceClass", .text).notNull().defaults(to: "speaker")
        }
        try db.alter(table: "customer") { table in
            table.add(column: "audioConsent", .boolean).notNull().defaults(to: true)
        }
        try db.alter(table: "turn") { table in
            table.add(column: "customerId", .text)
            table.add(column: "deviceClass", .text)
            table.add(column: "orderId", .text)
            // AES-GCM under the customer's key; `transcript` stays nil for new turns.
            table.add(column: "sealedTranscript", .blob)
        }
        // Identifiers quoted: the same statement runs on PostgreSQL (`PostgresSchema`), which
        // folds unquoted names to lower case.
        try db.execute(sql: #"UPDATE "turn" SET "customerId" = (SELECT "customerId" FROM "conversation" WHERE "conversation"."id" = "turn"."conversationId")"#)
        try db.create(index: "turn_on_customerId", on: "turn", columns: ["customerId"])
        try db.create(index: "turn_on_createdAt", on: "turn", columns: ["createdAt"])
        try db.create(table: "recording") { table in
            table.primaryKey("id", .text)
            table.column("turnId", .integer).indexed()
            table.column("customerId", .text).notNull().indexed()
            table.column("deviceId", .text).notNull()
            table.column("deviceClass", .text).notNull()
            table.column("sessionId", .text).notNull().indexed()
            table.column("orderId", .text).indexed()
            table.column("byteCount", .integer).notNull()
            table.column("durationSeconds", .double).notNull()
            table.column("createdAt", .datetime).notNull().indexed()
        }
        try db.create(table: "erasureRequest") { table in
            table.primaryKey("id", .text)
            table.column("customerId", .text).notNull().indexed()
            table.column("reference", .text).notNull()
            table.column("reason", .text).notNull()
            table.column("requestedBy", .text).notNull()
            table.column("requestedAt", .datetime).notNull()
            table.column("completedAt", .datetime)
        }
        try db.create(table: "staffToken") { table in
            table.primaryKey("id", .text)
            table.column("name", .text).notNull()
            table.column("role", .text).notNull()
            table.column("tokenHash", .text).notNull().unique()
            table.column("createdAt", .datetime).notNull()
            table.column("revokedAt", .datetime)
        }
    }
}
