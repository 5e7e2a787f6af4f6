import Commerce
import Foundation

/// A catalog product as stored; the database holds the live stock.
public struct ProductRecord: Codable, Sendable, Equatable {

    public var id: String
    public var name: String
    public var priceMinorUnits: Int
    public var currency: String
    public var stock: Int
    public var category: String?
    public var requiredOptionsJSON: String
    public var surchargesJSON: String
    public var updatedAt: Date

    public init(_ product: Product, at now: Date = Date()) throws {
        id = product.id
        name = product.name
        priceMinorUnits = product.price.minorUnits
        currency = product.price.currency
        stock = product.stock
        category = product.category
        requiredOptionsJSON = String(decoding: try JSONEncoder().encode(product.requiredOptions), as: UTF8.self)
        surchargesJSON = String(decoding: try JSONEncoder().encode(product.surcharges), as: UTF8.self)
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

    /// The product, or `Corrupt` naming it: options or surcharges that do not decode must not
    /// price an item as if it had none.
    public func product() throws -> Product {
        Product(
            id: id, name: name, price: Money(minorUnits: priceMinorUnits, currency: currency), stock: stock, category: category,
            requiredOptions: try decoded([String].self, from: requiredOptionsJSON, field: "requiredOptionsJSON"),
            surcharges: try decoded([String: [String: Int]].self, from: surchargesJSON, field: "surchargesJSON"))
    }

    /// A stored product whose column does not decode.
    public struct Corrupt: Error, CustomStringConvertible, Equatable {
        public let productId: String
        public let field: String
        package init(productId: String, field: String) {
            self.productId = productId
            self.field = field
        }
        public var description: String { "stored product \(productId) has a corrupt \(field); it is not loaded" }
    }

    private func decoded<Value: Decodable>(_ type: Value.Type, from json: String, field: String) throws -> Value {
        do {
            return try JSONDecoder().decode(type, from: Data(json.utf8))
        } catch {
            throw Corrupt(productId: id, field: field)
        }
    }
}
