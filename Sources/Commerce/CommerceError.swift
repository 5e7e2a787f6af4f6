/// What can go wrong with carts and orders; each case names the culprit.
public enum CommerceError: Error, Equatable, Sendable {
    case unknownProduct(String)
    case outOfStock(productId: String, available: Int)
    case invalidQuantity(Int)
    case emptyCart
    case notInCart(String)
    case illegalTransition(from: OrderStatus, to: OrderStatus)
    case currencyMismatch(String, String)
}
