import Commerce
import Foundation
import GRDB

/// A catalog product as stored; the database holds the live stock.
public struct ProductRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "product"

    public var id: String
    public var name: String
    public var priceMinorUnits: Int
    public var currency: String
    public var stock: Int
    public var category: String?
    public var requiredOptionsJSON: String
    public var surchargesJSON: String
    public var updatedAt: Date

    public init(_ product: Product, at now: Date = Date()) {
        id = product.id
        name = product.name
        priceMinorUnits = product.price.minorUnits
        currency = product.price.currency
        stock = product.stock
        category = product.category
        requiredOptionsJSON = String(decoding: (try? JSONEncoder().encode(product.requiredOptions)) ?? Data("[]".utf8), as: UTF8.self)
        surchargesJSON = String(decoding: (try? JSONEncoder().encode(product.surcharges)) ?? Data("{}".utf8), as: UTF8.self)
        updatedAt = now
    }

    /// For the PostgreSQL store, which reads the columns one by one.
    package init(
        id: String, name: String, priceMinorUnits: Int, currency: String, stock: Int, category: String?, requiredOptionsJSON: String,
        surchargesJSON: String, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.priceMinorUnits = priceMinorUnits
        self.currency = currency
        self.stock = stock
        self.category = category
        self.requiredOptionsJSON = requiredOptionsJSON
        self.surchargesJSON = surchargesJSON
        self.updatedAt = updatedAt
    }

    public var product: Product {
        Product(
            id: id, name: name, price: Money(minorUnits: priceMinorUnits, currency: currency), stock: stock, category: category,
            requiredOptions: (try? JSONDecoder().decode([String].self, from: Data(requiredOptionsJSON.utf8))) ?? [],
            surcharges: (try? JSONDecoder().decode([String: [String: Int]].self, from: Data(surchargesJSON.utf8))) ?? [:])
    }
}

extension ProductRecord {
    /// The columns queries filter and sort by, named once from the record's coding keys.
    public enum Columns {
        static let id = Column(CodingKeys.id)
    }
}
