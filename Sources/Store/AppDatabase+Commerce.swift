import GRDB

extension AppDatabase {
    /// Migration v3: customers with payment methods and addresses, the catalog with stock,
    /// order events and payments, replay fingerprints and conversation turns.
    static func createCommerceTables(_ db: Database) throws {
        try db.create(table: "customer") { table in
            table.primaryKey("id", .text)
            table.column("name", .text).notNull()
            table.column("pinHash", .text)
            table.column("pinSalt", .text)
            table.column("pinRequired", .boolean).notNull().defaults(to: false)
            table.column("pinFailures", .integer).notNull().defaults(to: 0)
            table.column("pinLockedUntil", .datetime)
            table.column("usualLinesJSON", .text)
            table.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "paymentMethod") { table in
            table.primaryKey("id", .text)
            table.column("customerId", .text).notNull().indexed().references("customer", onDelete: .cascade)
            table.column("token", .text).notNull()
            table.column("label", .text).notNull()
            table.column("isDefault", .boolean).notNull()
            table.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "address") { table in
            table.primaryKey("id", .text)
            table.column("customerId", .text).notNull().indexed().references("customer", onDelete: .cascade)
            table.column("text", .text).notNull()
            table.column("isDefault", .boolean).notNull()
            table.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "product") { table in
            table.primaryKey("id", .text)
            table.column("name", .text).notNull()
            table.column("priceMinorUnits", .integer).notNull()
            table.column("currency", .text).notNull()
            table.column("stock", .integer).notNull().check { $0 >= 0 }
            table.column("category", .text)
            table.column("requiredOptionsJSON", .text).notNull().defaults(to: "[]")
            table.column("surchargesJSON", .text).notNull().defaults(to: "{}")
            table.column("updatedAt", .datetime).notNull()
        }
        try db.alter(table: "device") { table in
            table.add(column: "pinRequired", .boolean).notNull().defaults(to: false)
            table.add(column: "dailySpendLimitMinorUnits", .integer)
        }
        try db.alter(table: "conversation") { table in
            table.add(column: "cartJSON", .text)
        }
        try db.alter(table: "order") { table in
            table.add(column: "paymentMethodId", .text)
            table.add(column: "addressId", .text)
            table.add(column: "trackingNumber", .text)
            table.add(column: "captureId", .text)
        }
        try db.create(table: "orderEvent") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("orderId", .text).notNull().indexed().references("order")
            table.column("status", .text).notNull()
            table.column("note", .text)
            /// The session that caused it (it reports the change itself), or "staff" / "courier" / "system".
            table.column("source", .text).notNull()
            table.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "payment") { table in
            table.primaryKey("id", .text)
            table.column("orderId", .text).notNull().indexed().references("order")
            table.column("kind", .text).notNull()
            table.column("amountMinorUnits", .integer).notNull()
            table.column("currency", .text).notNull()
            table.column("providerReference", .text)
            table.column("outcome", .text).notNull()
            table.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "utteranceFingerprint") { table in
            table.primaryKey("fingerprint", .text)
            table.column("orderId", .text).notNull().references("order")
            table.column("createdAt", .datetime).notNull()
        }
        try db.create(table: "turn") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("conversationId", .text).notNull().indexed().references("conversation")
            table.column("sessionId", .text).notNull().indexed()
            table.column("transcript", .text)
            table.column("intent", .text)
            table.column("confidence", .double)
            table.column("outcome", .text).notNull()
            table.column("createdAt", .datetime).notNull()
        }
    }
}
