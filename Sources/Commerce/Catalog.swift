/// A shop's products by id, in one currency.
public struct Catalog: Sendable, Equatable {
    public let currency: String
    public private(set) var products: [String: Product]

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(currency: String, products: [Product]) throws(Invalid) {
        self.currency = currency
        var byId: [String: Product] = [:]
        for product in products {
            guard product.price.currency == currency else {
                throw Invalid(description: "product \(product.id) is priced in \(product.price.currency), the catalog in \(currency)")
            }
            guard product.price.minorUnits >= 0, product.stock >= 0 else {
                throw Invalid(description: "product \(product.id) has a negative price or stock")
            }
            guard byId.updateValue(product, forKey: product.id) == nil else {
                throw Invalid(description: "product id \(product.id) appears twice")
            }
        }
        self.products = byId
    }

    public func product(_ id: String) -> Product? { products[id] }

    /// Takes `quantity` out of stock, or fails without changing anything.
    public mutating func reserve(_ id: String, quantity: Int) throws(CommerceError) {
        guard var product = products[id] else { throw .unknownProduct(id) }
        guard product.stock >= quantity else { throw .outOfStock(productId: id, available: product.stock) }
        product.stock -= quantity
        products[id] = product
    }

    public mutating func release(_ id: String, quantity: Int) {
        products[id]?.stock += quantity
    }
}
