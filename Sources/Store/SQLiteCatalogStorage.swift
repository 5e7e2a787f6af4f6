import Commerce
import Foundation
import GRDB

/// The shop's catalog in the database: imported from a file, read as a `Catalog` snapshot.
/// Stock is taken here, in the same transaction that writes an order (see `SQLiteOrderStorage`).
public struct SQLiteCatalogStorage: CatalogStorage {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    /// Adds or updates every product (matched by id) in one transaction; products not in the
    /// file are left alone. All products must share the catalog's currency.
    @discardableResult
    public func importProducts(_ products: [Product]) throws -> CatalogImportSummary {
        try database.writer.write { db in
            var summary = CatalogImportSummary()
            let existingCurrency = try String.fetchOne(db, sql: "SELECT currency FROM product LIMIT 1")
            try Self.check(products, existingCurrency: existingCurrency)
            for product in products {
                if try ProductRecord.exists(db, key: product.id) { summary.updated += 1 } else { summary.added += 1 }
                try ProductRecord(product).save(db)
            }
            return summary
        }
    }

    /// Refuses products priced in another currency than the catalog's (or each other's), or
    /// with a negative price or stock.
    public static func check(_ products: [Product], existingCurrency: String?) throws {
        for product in products {
            if let currency = existingCurrency ?? products.first?.price.currency, product.price.currency != currency {
                throw InvalidCatalog(description: "product \(product.id) is priced in \(product.price.currency), the catalog in \(currency)")
            }
            guard product.price.minorUnits >= 0, product.stock >= 0 else {
                throw InvalidCatalog(description: "product \(product.id) has a negative price or stock")
            }
        }
    }

    /// The catalog made of stored products, or `InvalidCatalog` saying why they do not make one.
    public static func catalog(of records: [ProductRecord]) throws -> Catalog {
        let products = try records.map { try $0.product() }
        do {
            return try Catalog(currency: records.first?.currency ?? "USD", products: products)
        } catch {
            throw InvalidCatalog(description: error.description)
        }
    }

    /// Seeds an empty catalog (first start) from the shop's catalog file.
    public func seedIfEmpty(with catalog: Catalog) throws {
        let count = try database.writer.read { db in try ProductRecord.fetchCount(db) }
        if count == 0 { try importProducts(Array(catalog.products.values)) }
    }

    public func catalog() throws -> Catalog {
        try Self.catalog(of: try database.writer.read { db in try ProductRecord.order(ProductRecord.Columns.id).fetchAll(db) })
    }
}
