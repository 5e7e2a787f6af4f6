import Commerce
import Foundation
import PostgresStore
import Store

/// The stores one node uses to take orders, on one database; two of them on the same database
/// are two nodes.
struct ShopStores: Sendable {
    var orders: any OrderLedger
    var catalog: any ProductCatalog
    var customers: any CustomerDirectory
    var devices: any DeviceDirectory
    var conversations: any ConversationLog

    init(sqlite database: AppDatabase) {
        orders = OrderBook(database: database)
        catalog = CatalogStore(database: database)
        customers = CustomerBook(database: database)
        devices = DeviceRegistry(database: database)
        conversations = SessionLog(database: database)
    }

    init(postgres database: PostgresConnections) {
        orders = PostgresOrderBook(database: database)
        catalog = PostgresCatalogStore(database: database)
        customers = PostgresCustomerBook(database: database)
        devices = PostgresDeviceRegistry(database: database)
        conversations = PostgresSessionLog(database: database)
    }

    /// Three lattes and ten mochas.
    static let catalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 3),
        Product(id: "mocha", name: "mocha", price: Money(minorUnits: 450, currency: "USD"), stock: 10),
    ])

    /// Runs `body` with two nodes' stores on a new database of `backend`, its catalog seeded.
    static func withTwoNodes(_ backend: Backend, _ body: (ShopStores, ShopStores) async throws -> Void) async throws {
        try await backend.with(
            sqlite: { database in (ShopStores(sqlite: database), ShopStores(sqlite: database)) },
            postgres: { connections in (ShopStores(postgres: connections), ShopStores(postgres: connections)) }
        ) { nodes in
            try await nodes.0.catalog.seedIfEmpty(with: catalog)
            try await body(nodes.0, nodes.1)
        }
    }

    func stock(_ productId: String) async throws -> Int {
        try await catalog.catalog().product(productId)?.stock ?? -1
    }
}
