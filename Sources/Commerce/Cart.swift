/// A customer's cart: product lines with options, priced from the catalog.
public struct Cart: Sendable, Equatable, Codable {
    public struct Line: Sendable, Equatable, Codable {
        public var productId: String
        public var quantity: Int
        /// Chosen options, e.g. `size: large`, `milkAmount: soy milk`.
        public var options: [String: String]
        public var unitPrice: Money

        public var total: Money { unitPrice.times(quantity) }

        public init(productId: String, quantity: Int, options: [String: String], unitPrice: Money) {
            self.productId = productId
            self.quantity = quantity
            self.options = options
            self.unitPrice = unitPrice
        }
    }

    public private(set) var lines: [Line] = []
    public let currency: String

    public init(currency: String) { self.currency = currency }

    /// A cart with these lines, re-priced from the catalog (for "the usual" and resumed carts).
    /// Lines whose product is gone or short of stock fail as `add` would.
    public init(lines: [Line], from catalog: Catalog) throws(CommerceError) {
        self.init(currency: catalog.currency)
        for line in lines { try add(line.productId, quantity: line.quantity, options: line.options, from: catalog) }
    }

    /// What was ordered, independent of prices and line order: two carts with the same
    /// signature are "the same order" for the repeat guard and for "the usual".
    public var signature: String {
        Self.signature(of: lines)
    }

    public static func signature(of lines: [Line]) -> String {
        lines.map { line in
            let options = line.options.keys.sorted().map { "\($0)=\(line.options[$0]!)" }.joined(separator: ",")
            return "\(line.quantity)x\(line.productId)[\(options)]"
        }.sorted().joined(separator: ";")
    }

    public var isEmpty: Bool { lines.isEmpty }

    /// Adds a line; the same product with the same options adds to its quantity.
    public mutating func add(_ productId: String, quantity: Int = 1, options: [String: String] = [:], from catalog: Catalog)
        throws(CommerceError)
    {
        guard (1...99).contains(quantity) else { throw .invalidQuantity(quantity) }
        guard let product = catalog.product(productId) else { throw .unknownProduct(productId) }
        guard product.price.currency == currency else { throw .currencyMismatch(currency, product.price.currency) }
        if let missing = product.missingOption(in: options) { throw .missingOption(productId: productId, option: missing) }
        let existing = lines.firstIndex { $0.productId == productId && $0.options == options }
        let wanted = quantity + (existing.map { lines[$0].quantity } ?? 0)
        guard product.stock >= wanted else { throw .outOfStock(productId: productId, available: product.stock) }
        if let existing {
            lines[existing].quantity = wanted
        } else {
            lines.append(Line(productId: productId, quantity: quantity, options: options, unitPrice: product.price(with: options)))
        }
    }

    /// Removes the last line, or the last line of `productId`.
    public mutating func removeLast(productId: String? = nil) throws(CommerceError) {
        guard !lines.isEmpty else { throw .emptyCart }
        guard let productId else {
            lines.removeLast()
            return
        }
        guard let index = lines.lastIndex(where: { $0.productId == productId }) else { throw .notInCart(productId) }
        lines.remove(at: index)
    }

    public var total: Money {
        lines.reduce(Money.zero(currency)) { Money(minorUnits: $0.minorUnits + $1.total.minorUnits, currency: currency) }
    }
}
