import Commerce
import Foundation

/// Where the shop's catalog and live stock are kept: the SQLite database (`SQLiteCatalogStorage`) or
/// PostgreSQL (`PostgresCatalogStorage`). Stock is taken by the order store, in the transaction
/// that writes the order.
public protocol CatalogStorage: Sendable {
    @discardableResult
    func importProducts(_ products: [Product]) async throws -> CatalogImportSummary
    func seedIfEmpty(with catalog: Catalog) async throws
    func catalog() async throws -> Catalog
}
