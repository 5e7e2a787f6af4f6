import Foundation

/// A confirmed cart to be written as an order, and the rules that decide whether it may be.
///
/// The rules are here once; a storage backend only reads the facts inside its placing
/// transaction (`PlacementFacts`) and writes what `decision(on:at:)` says (`PlacementWrite`).
/// So a retried key returns the order already placed, a revoked device or customer places
/// nothing, one cart version becomes at most one order, the spending and repeat rules are
/// checked on facts read where the order is written, and stock is never taken twice, on
/// SQLite and PostgreSQL alike.
public struct OrderPlacement: Sendable {
    public var customerId: String
    public var deviceId: String
    public var lines: [Cart.Line]
    public var total: Money
    public var paymentMethodId: String?
    public var addressId: String?
    public var idempotencyKey: String
    /// Who placed it: a session id, or "staff".
    public var source: String
    /// Fingerprints of the spoken utterances that led to it (replay protection).
    public var fingerprints: [String]
    /// The conversation's cart version that was read back and confirmed (nil for staff).
    public var cart: CartClaim?
    /// The guard's spending and repeat rules, checked again inside the placing transaction
    /// (nil: none, as for staff orders).
    public var spendingCheck: SpendingCheck?

    public init(
        customerId: String, deviceId: String, lines: [Cart.Line], total: Money, paymentMethodId: String? = nil,
        addressId: String? = nil, idempotencyKey: String, source: String, fingerprints: [String] = [], cart: CartClaim? = nil,
        spendingCheck: SpendingCheck? = nil
    ) {
        self.customerId = customerId
        self.deviceId = deviceId
        self.lines = lines
        self.total = total
        self.paymentMethodId = paymentMethodId
        self.addressId = addressId
        self.idempotencyKey = idempotencyKey
        self.source = source
        self.fingerprints = fingerprints
        self.cart = cart
        self.spendingCheck = spendingCheck
    }
}

/// One version of a conversation's cart, as a read-back showed it.
public struct CartClaim: Sendable, Equatable {
    public var conversationId: String
    public var version: Int

    public init(conversationId: String, version: Int) {
        self.conversationId = conversationId
        self.version = version
    }
}

/// Why a confirmed order was not written. Nothing was changed.
public enum PlacementRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// That cart version already became this order, confirmed on another device.
    case alreadyPlaced(orderId: String)
    /// The cart changed (on another device) after it was read back.
    case cartChanged
    /// The device or the customer was revoked.
    case revoked
    /// The guard's spending or repeat rule, checked on the facts read as the order was written.
    case spending(SpendingObjection)
    /// A product ran out since the read-back; `available` are left.
    case outOfStock(productId: String, available: Int)
    /// A product of the cart is no longer in the catalog.
    case unknownProduct(String)

    /// A stable identifier, for metrics and logs.
    public var code: String {
        switch self {
        case .alreadyPlaced: "already_placed"
        case .cartChanged: "cart_changed"
        case .revoked: "revoked"
        case .spending(.overDailyLimit): "limit"
        case .spending(.sameOrderRecently): "repeat"
        case .outOfStock: "out_of_stock"
        case .unknownProduct: "unknown_product"
        }
    }

    public var description: String {
        switch self {
        case .alreadyPlaced(let id): "this cart was already placed as order \(id)"
        case .cartChanged: "the cart changed after it was read back"
        case .revoked: "the device or customer was revoked"
        case .spending(.overDailyLimit(let left)): "over the device's daily spending limit (\(left) left today)"
        case .spending(.sameOrderRecently(let minutes)): "the same order was placed \(minutes) minutes ago"
        case .outOfStock(let id, let available): "only \(available) of \(id) left"
        case .unknownProduct(let id): "no product \(id)"
        }
    }
}

/// What the placing transaction read, for the rules to decide on.
public struct PlacementFacts: Sendable {
    /// The order already placed under the placement's idempotency key.
    public var existing: OrderRecord?
    /// The device or the customer is revoked.
    public var revoked: Bool
    /// The claimed conversation's current cart version (nil: no such conversation, or no claim).
    public var currentCartVersion: Int?
    /// The order that consumed the claimed cart version, if one did.
    public var claimedVersionPlacedAs: String?
    /// What the spending check looks at (nil when the placement has none).
    public var spending: SpendingFacts?
    /// Stock of each product of the placement's lines; a product missing here does not exist.
    public var stock: [String: Int]

    public init(
        existing: OrderRecord?, revoked: Bool, currentCartVersion: Int? = nil, claimedVersionPlacedAs: String? = nil,
        spending: SpendingFacts? = nil, stock: [String: Int]
    ) {
        self.existing = existing
        self.revoked = revoked
        self.currentCartVersion = currentCartVersion
        self.claimedVersionPlacedAs = claimedVersionPlacedAs
        self.spending = spending
        self.stock = stock
    }
}

/// What a backend writes for a placement the rules allowed, all in the transaction that read
/// the facts.
public struct PlacementWrite: Sendable, Equatable {
    public var order: OrderRecord
    /// Each product's quantity to take from stock (the facts showed enough).
    public var stockTaken: [(productId: String, quantity: Int)]
    /// The conversation whose cart is consumed: emptied, its version moved on.
    public var consumedCart: String?
    public var event: OrderEvent
    public var fingerprints: [String]

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.order == rhs.order && lhs.stockTaken.elementsEqual(rhs.stockTaken, by: ==) && lhs.consumedCart == rhs.consumedCart
            && lhs.event == rhs.event && lhs.fingerprints == rhs.fingerprints
    }
}

/// What the rules decided for a placement.
public enum PlacementDecision: Sendable, Equatable {
    /// A retry: this key already placed that order; nothing is written.
    case existing(OrderRecord)
    case refused(PlacementRefusal)
    case write(PlacementWrite)
}

extension OrderPlacement {
    /// The rules, in the order they apply: a retried key first (its order stands whatever
    /// changed since), then revocation, the cart claim, the spending and repeat rules, stock.
    public func decision(on facts: PlacementFacts, at now: Date, orderId: String = UUID().uuidString.lowercased()) throws
        -> PlacementDecision
    {
        if let existing = facts.existing { return .existing(existing) }
        if facts.revoked { return .refused(.revoked) }
        if let claim = cart, facts.currentCartVersion != claim.version {
            return .refused(facts.claimedVersionPlacedAs.map { .alreadyPlaced(orderId: $0) } ?? .cartChanged)
        }
        if let spendingCheck, let spending = facts.spending, let objection = spendingCheck.objection(to: spending) {
            return .refused(.spending(objection))
        }
        var taken: [(productId: String, quantity: Int)] = []
        var left = facts.stock
        for line in lines {
            guard let available = left[line.productId] else { return .refused(.unknownProduct(line.productId)) }
            guard available >= line.quantity else { return .refused(.outOfStock(productId: line.productId, available: available)) }
            left[line.productId] = available - line.quantity
            taken.append((line.productId, line.quantity))
        }
        let order = try newOrder(id: orderId, at: now)
        return .write(PlacementWrite(
            order: order, stockTaken: taken, consumedCart: cart?.conversationId,
            event: OrderEvent(id: nil, orderId: order.id, status: order.status, note: nil, source: source, createdAt: now),
            fingerprints: fingerprints))
    }

    /// The products whose stock the rules need (each once).
    public var productIds: [String] { Array(Set(lines.map(\.productId))).sorted() }

    private func newOrder(id: String, at now: Date) throws -> OrderRecord {
        OrderRecord(
            id: id, customerId: customerId, deviceId: deviceId, status: .placed, totalMinorUnits: total.minorUnits,
            currency: total.currency, linesJSON: String(decoding: try JSONEncoder().encode(lines), as: UTF8.self),
            idempotencyKey: idempotencyKey, createdAt: now, updatedAt: now, paymentMethodId: paymentMethodId, addressId: addressId,
            trackingNumber: nil, captureId: nil, conversationId: cart?.conversationId, cartVersion: cart?.version)
    }
}
