/// Something a shop sells, with its price and stock.
public struct Product: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var price: Money
    public var stock: Int
    public var category: String?
    /// Options a customer must choose before the item goes in the cart, e.g. `size`.
    public var requiredOptions: [String]
    /// Extra cost of option values in minor units, e.g. `size: {large: 50, small: -50}`.
    public var surcharges: [String: [String: Int]]

    public init(
        id: String, name: String, price: Money, stock: Int, category: String? = nil, requiredOptions: [String] = [],
        surcharges: [String: [String: Int]] = [:]
    ) {
        self.id = id
        self.name = name
        self.price = price
        self.stock = stock
        self.category = category
        self.requiredOptions = requiredOptions
        self.surcharges = surcharges
    }

    /// The price of one item with these options.
    public func price(with options: [String: String]) -> Money {
        let extra = options.reduce(0) { sum, option in sum + (surcharges[option.key]?[option.value] ?? 0) }
        return Money(minorUnits: price.minorUnits + extra, currency: price.currency)
    }

    /// The first required option not chosen yet.
    public func missingOption(in options: [String: String]) -> String? {
        requiredOptions.first { options[$0] == nil }
    }
}
