import Commerce
import Foundation
import GRDB

/// The shop's catalog in the database: imported from a file, read as a `Catalog` snapshot.
/// Stock is taken here, in the same transaction that writes an order (see `OrderBook`).
public struct CatalogStore: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public struct ImportSummary: Equatable, Sendable {
        public var added = 0
        public var updated = 0
    }

    /// Adds or updates every product (matched by id) in one transaction; products not in the
    /// file are left alone. All products must share the catalog's currency.
    @discardableResult
    public func importProducts(_ products: [Product]) throws -> ImportSummary {
        try database.writer.write { db in
            var summary = ImportSummary()
            let existingCurrency = try String.fetchOne(db, sql: "SELECT currency FROM product LIMIT 1")
            for product in products {
                if let currency = existingCurrency ?? products.first?.price.currency, product.price.currency != currency {
                    throw Invalid(description: "product \(product.id) is priced in \(product.price.currency), the catalog in \(currency)")
                }
                guard product.price.minorUnits >= 0, product.stock >= 0 else {
                    throw Invalid(description: "product \(product.id) has a negative price or stock")
                }
                if try ProductRecord.exists(db, key: product.id) { summary.updated += 1 } else { summary.added += 1 }
                try ProductRecord(product).save(db)
            }
            return summary
        }
    }

    /// Seeds an empty catalog (first start) from the shop's catalog file.
    public func seedIfEmpty(with catalog: Catalog) throws {
        let count = try database.writer.read { db in try ProductRecord.fetchCount(db) }
        if count == 0 { try importProducts(Array(catalog.products.values)) }
    }

    public func catalog() throws -> Catalog {
        let records = try database.writer.read { db in try ProductRecord.order(ProductRecord.Columns.id).fetchAll(db) }
        do {
            return try Catalog(currency: records.first?.currency ?? "USD", products: records.map(\.product))
        } catch {
            throw Invalid(description: error.description)
        }
    }
}
