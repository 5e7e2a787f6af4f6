import Foundation

/// The confirmation guard's two rules that another session can break between a read-back
/// and its "yes" — a device's daily spend and the same order placed again soon — written
/// once: the guard applies them at the read-back, and the placing transaction again on the
/// facts it reads (`OrderPlacement.spendingCheck`).
public struct SpendingCheck: Sendable, Equatable {
    public var cartTotal: Money
    public var cartSignature: String
    /// What the device may spend per day (UTC), in minor units.
    public var dailyLimitMinorUnits: Int
    /// The same order within this many seconds needs a second "yes".
    public var repeatWindowSeconds: TimeInterval
    /// The customer has already said the second "yes" for this cart.
    public var repeatConfirmed: Bool
    /// When the check is made.
    public var at: Date

    public init(
        cart: Cart, dailyLimitMinorUnits: Int, repeatWindowSeconds: TimeInterval, repeatConfirmed: Bool = false, at now: Date
    ) {
        self.init(
            lines: cart.lines, total: cart.total, dailyLimitMinorUnits: dailyLimitMinorUnits, repeatWindowSeconds: repeatWindowSeconds,
            repeatConfirmed: repeatConfirmed, at: now)
    }

    public init(
        lines: [Cart.Line], total: Money, dailyLimitMinorUnits: Int, repeatWindowSeconds: TimeInterval, repeatConfirmed: Bool = false,
        at now: Date
    ) {
        cartTotal = total
        cartSignature = Cart.signature(of: lines)
        self.dailyLimitMinorUnits = dailyLimitMinorUnits
        self.repeatWindowSeconds = repeatWindowSeconds
        self.repeatConfirmed = repeatConfirmed
        at = now
    }

    /// The customer's orders since this time count as recent.
    public var recentSince: Date { at.addingTimeInterval(-repeatWindowSeconds) }

    /// What stops the order on these facts, if anything: the limit first (a second "yes"
    /// cannot lift it), then the repeat unless already confirmed.
    public func objection(to facts: SpendingFacts) -> SpendingObjection? {
        if let left = leftToday(facts) { return .overDailyLimit(left: left) }
        if !repeatConfirmed, let minutes = minutesSinceSameOrder(facts) { return .sameOrderRecently(minutesAgo: minutes) }
        return nil
    }

    /// What may still be spent today, when this cart would pass the daily limit.
    public func leftToday(_ facts: SpendingFacts) -> Money? {
        guard facts.spentTodayMinorUnits + cartTotal.minorUnits > dailyLimitMinorUnits else { return nil }
        return Money(minorUnits: max(0, dailyLimitMinorUnits - facts.spentTodayMinorUnits), currency: cartTotal.currency)
    }

    /// Minutes since the customer last ordered exactly this cart, if within the repeat window.
    public func minutesSinceSameOrder(_ facts: SpendingFacts) -> Int? {
        let same = facts.recentOrders.filter { $0.signature == cartSignature && at.timeIntervalSince($0.placedAt) <= repeatWindowSeconds }
        return same.map(\.placedAt).max().map { Int(at.timeIntervalSince($0) / 60) }
    }
}

/// Why the spending check stops an order.
public enum SpendingObjection: Sendable, Equatable {
    /// The device's daily limit would be passed; `left` may still be spent today.
    case overDailyLimit(left: Money)
    /// The same order was placed `minutesAgo` minutes ago: the customer must say yes again.
    case sameOrderRecently(minutesAgo: Int)
}

/// What the spending check looks at.
public struct SpendingFacts: Sendable, Equatable {
    /// Spent today (UTC) on this device, on orders still to be fulfilled or fulfilled.
    public var spentTodayMinorUnits: Int
    /// The customer's orders since `SpendingCheck.recentSince`, not cancelled: cart signature and time.
    public var recentOrders: [RecentOrder]

    public init(spentTodayMinorUnits: Int = 0, recentOrders: [RecentOrder] = []) {
        self.spentTodayMinorUnits = spentTodayMinorUnits
        self.recentOrders = recentOrders
    }

    /// The facts from what today's spend query and the recent-orders query returned.
    public init(spentToday: Int, recent orders: [OrderRecord]) throws {
        self.init(
            spentTodayMinorUnits: spentToday,
            recentOrders: try orders.map { RecentOrder(signature: Cart.signature(of: try $0.lines()), placedAt: $0.createdAt) })
    }

    public struct RecentOrder: Sendable, Equatable {
        public var signature: String
        public var placedAt: Date

        public init(signature: String, placedAt: Date) {
            self.signature = signature
            self.placedAt = placedAt
        }
    }

    /// Midnight UTC before `now`: the start of "today" for daily spending limits.
    public static func startOfDay(_ now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.startOfDay(for: now)
    }
}
