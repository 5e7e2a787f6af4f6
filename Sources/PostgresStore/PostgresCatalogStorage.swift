import Commerce
import Foundation
import Logging
import PostgresNIO
import Store

/// The shop's catalog and live stock in PostgreSQL, checked as SQLite's `SQLiteCatalogStorage` checks
/// it. Stock is taken by `PostgresOrderStorage`, in the transaction that writes the order.
public struct PostgresCatalogStorage: CatalogStorage {
    private let database: PostgresConnections

    public init(database: PostgresConnections) {
        self.database = database
    }

    @discardableResult
    public func importProducts(_ products: [Product]) async throws -> CatalogImportSummary {
        try await database.withTransaction { connection, logger in
            // One import at a time, so two nodes seeding an empty catalog cannot mix currencies.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('talkshop catalog import'))", logger: logger)
            var existingCurrency: String?
            for try await currency in try await connection.query(#"SELECT "currency" FROM "product" LIMIT 1"#, logger: logger).decode(String.self) {
                existingCurrency = currency
            }
            try SQLiteCatalogStorage.check(products, existingCurrency: existingCurrency)
            var summary = CatalogImportSummary()
            for product in products {
                let record = try ProductRecord(product)
                // xmax = 0 only for a row this statement inserted: an insert, not an update.
                let rows = try await connection.query(
                    """
                    INSERT INTO "product" ("id", "name", "priceMinorUnits", "currency", "stock", "category", "requiredOptionsJSON", "surchargesJSON", "updatedAt")
                    VALUES (\(record.id), \(record.name), \(record.priceMinorUnits), \(record.currency), \(record.stock), \(record.category),
                            \(record.requiredOptionsJSON), \(record.surchargesJSON), \(record.updatedAt))
                    ON CONFLICT ("id") DO UPDATE SET "name" = EXCLUDED."name", "priceMinorUnits" = EXCLUDED."priceMinorUnits",
                        "currency" = EXCLUDED."currency", "stock" = EXCLUDED."stock", "category" = EXCLUDED."category",
                        "requiredOptionsJSON" = EXCLUDED."requiredOptionsJSON", "surchargesJSON" = EXCLUDED."surchargesJSON",
                        "updatedAt" = EXCLUDED."updatedAt"
                    RETURNING (xmax = 0)
                    """, logger: logger)
                for try await inserted in rows.decode(Bool.self) {
                    if inserted { summary.added += 1 } else { summary.updated += 1 }
                }
            }
            return summary
        }
    }

    public func seedIfEmpty(with catalog: Catalog) async throws {
        let hasProducts = try await database.withConnection { connection, logger in
            try await connection.returnsRows(#"SELECT 1 FROM "product" LIMIT 1"#, logger: logger)
        }
        if !hasProducts { try await importProducts(Array(catalog.products.values)) }
    }

    public func catalog() async throws -> Catalog {
        let records = try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"""
                SELECT "id", "name", "priceMinorUnits", "currency", "stock", "category", "requiredOptionsJSON", "surchargesJSON", "updatedAt"
                FROM "product" ORDER BY "id"
                """#, logger: logger)
            var found: [ProductRecord] = []
            for try await (id, name, price, currency, stock, category, options, surcharges, updated) in rows.decode(
                (String, String, Int, String, Int, String?, String, String, Date).self)
            {
                found.append(ProductRecord(
                    id: id, name: name, priceMinorUnits: price, currency: currency, stock: stock, category: category,
                    requiredOptionsJSON: options, surchargesJSON: surcharges, updatedAt: updated))
            }
            return found
        }
        return try SQLiteCatalogStorage.catalog(of: records)
    }
}
