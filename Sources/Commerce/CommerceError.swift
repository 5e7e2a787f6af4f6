/// What can go wrong with carts and orders; each case names the culprit.
public enum CommerceError: Error, Equatable, Sendable {
    case unknownProduct(String)
    case outOfStock(productId: String, available: Int)
    case invalidQuantity(Int)
    case emptyCart
    case notInCart(String)
    case illegalTransition(from: OrderStatus, to: OrderStatus)
    case currencyMismatch(String, String)
    case missingOption(productId: String, option: String)
}

extension CommerceError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .unknownProduct(let id): "no product \(id)"
        case .outOfStock(let id, let available): "\(id) is out of stock (\(available) left)"
        case .invalidQuantity(let quantity): "quantity \(quantity) is not between 1 and 99"
        case .emptyCart: "the cart is empty"
        case .notInCart(let id): "\(id) is not in the cart"
        case .illegalTransition(let from, let to): "an order cannot go from \(from.rawValue) to \(to.rawValue)"
        case .currencyMismatch(let left, let right): "cannot combine \(left) with \(right)"
        case .missingOption(let id, let option): "\(id) needs a \(option)"
        }
    }
}
