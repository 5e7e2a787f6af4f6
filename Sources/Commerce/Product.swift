/// Something a shop sells, with its price and stock.
public struct Product: Sendable, Hashable, Codable, Identifiable {
    public var id: String
    public var name: String
    public var price: Money
    public var stock: Int
    public var category: String?

    public init(id: String, name: String, price: Money, stock: Int, category: String? = nil) {
        self.id = id
        self.name = name
        self.price = price
        self.stock = stock
        self.category = category
    }
}
