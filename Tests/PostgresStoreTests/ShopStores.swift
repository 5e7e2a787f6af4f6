import Commerce
import Foundation
import PostgresStore
import Store

/// The order tests' shop: "two nodes" are two `ShopStores` on one database.
extension ShopStores {
    /// Three lattes and ten mochas.
    static let testCatalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 3),
        Product(id: "mocha", name: "mocha", price: Money(minorUnits: 450, currency: "USD"), stock: 10),
    ])

    /// Runs `body` with two nodes' stores on a new database of `backend`, its catalog seeded.
    static func withTwoNodes(_ backend: Backend, _ body: (ShopStores, ShopStores) async throws -> Void) async throws {
        try await backend.with(
            sqlite: { database in (ShopStores(sqlite: database), ShopStores(sqlite: database)) },
            postgres: { connections in (ShopStores(postgres: connections), ShopStores(postgres: connections)) }
        ) { nodes in
            try await nodes.0.catalog.seedIfEmpty(with: testCatalog)
            try await body(nodes.0, nodes.1)
        }
    }

    func stock(_ productId: String) async throws -> Int {
        try await catalog.catalog().product(productId)?.stock ?? -1
    }
}
