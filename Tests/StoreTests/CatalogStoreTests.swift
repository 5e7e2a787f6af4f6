import Commerce
import Foundation
import GRDB
import Store
import Testing

struct CatalogStoreTests {
    @Test(arguments: ["requiredOptionsJSON", "surchargesJSON"])
    func aProductWhoseStoredOptionsDoNotDecodeIsRefusedByItsIdNotPricedWithoutThem(_ column: String) throws {
        let database = try AppDatabase.inMemory()
        let store = SQLiteCatalogStorage(database: database)
        try store.importProducts([
            Product(
                id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 3, requiredOptions: ["size"],
                surcharges: ["size": ["large": 50]])
        ])
        #expect(try store.catalog().product("latte")?.surcharges["size"]?["large"] == 50)

        try database.writer.write { db in try db.execute(sql: "UPDATE product SET \(column) = '{not json' WHERE id = 'latte'") }

        #expect(throws: ProductRecord.Corrupt(productId: "latte", field: column)) { try store.catalog() }
    }
}
