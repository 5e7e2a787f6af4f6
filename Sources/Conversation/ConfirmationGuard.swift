import Commerce
import Foundation

/// The false-trigger rules for placing an order, as a pure function of the cart and facts the
/// server looked up. docs/guards.md lists every rule with its default and setting.
public struct ConfirmationGuard: Sendable, Equatable {
    public struct Settings: Sendable, Equatable, Codable {
        /// How long an answer to a read-back, a repeat question or a PIN request is awaited.
        public var confirmationWindowSeconds = 8.0
        /// Intents below this confidence are re-asked ("Did you say …?"), never acted on.
        public var minimumConfidence = 0.7
        /// Orders above this total (minor units) need the customer's PIN.
        public var pinAboveMinorUnits = 5_000
        /// The same order from the same customer within this many seconds needs a second "yes".
        public var repeatWindowSeconds = 600.0
        /// What one device may spend per day (UTC), in minor units, unless the device says otherwise.
        public var dailySpendLimitMinorUnits = 10_000

        public init() {}

        /// Keys missing from a configuration file keep their defaults.
        public init(from decoder: any Decoder) throws {
            let defaults = Settings()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            func value<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
                try container.decodeIfPresent(T.self, forKey: key) ?? fallback
            }
            confirmationWindowSeconds = try value(.confirmationWindowSeconds, defaults.confirmationWindowSeconds)
            minimumConfidence = try value(.minimumConfidence, defaults.minimumConfidence)
            pinAboveMinorUnits = try value(.pinAboveMinorUnits, defaults.pinAboveMinorUnits)
            repeatWindowSeconds = try value(.repeatWindowSeconds, defaults.repeatWindowSeconds)
            dailySpendLimitMinorUnits = try value(.dailySpendLimitMinorUnits, defaults.dailySpendLimitMinorUnits)
        }
    }

    /// What the server knows about this customer and device when an order is proposed.
    public struct Facts: Sendable, Equatable {
        /// The device (or channel, e.g. phone) requires the PIN for every order.
        public var pinRequired = false
        /// Too many wrong PINs recently: PIN entry is locked.
        public var pinLocked = false
        /// The customer has a PIN set.
        public var hasPIN = true
        public var hasPaymentMethod = true
        /// Spent today on this device (placed, not cancelled or refunded), minor units.
        public var spentTodayMinorUnits = 0
        /// This device's own daily limit, if it has one.
        public var deviceDailyLimitMinorUnits: Int?
        /// The customer's orders within the repeat window: cart signature and time.
        public var recentOrders: [RecentOrder] = []
        /// The same words were just heard from several customers at once (a broadcast).
        public var broadcastSuppressed = false

        public init() {}
    }

    public typealias RecentOrder = SpendingFacts.RecentOrder

    /// A question that must be answered before the order is placed, in the order asked.
    public enum Checkpoint: Sendable, Equatable {
        /// The read-back of items and total, answered "yes".
        case readBack
        /// The same order was placed `minutesAgo` minutes ago: a second "yes".
        case repeatOrder(minutesAgo: Int)
        /// The customer's spoken 4-digit PIN.
        case pin
    }

    /// Why an order cannot be placed at all (`Prompt.refusal` says it).
    public enum Refusal: Sendable, Equatable {
        /// The same words were just heard from several customers at once (a TV advert).
        case broadcastPause
        case noPaymentMethod
        /// The device's daily spending limit would be passed; `left` may still be spent today.
        case overDailyLimit(left: Money)
        case needsPINButNoneSet
        case pinLocked
    }

    public enum Decision: Sendable, Equatable {
        case refuse(Refusal)
        case ask([Checkpoint])
    }

    public var settings: Settings

    public init(settings: Settings = Settings()) { self.settings = settings }

    public func review(_ cart: Cart, facts: Facts, at now: Date) -> Decision {
        if facts.broadcastSuppressed {
            return .refuse(.broadcastPause)
        }
        guard facts.hasPaymentMethod else {
            return .refuse(.noPaymentMethod)
        }
        let spending = spendingCheck(cart, facts: facts, at: now)
        if let left = spending.leftToday(facts.spending) { return .refuse(.overDailyLimit(left: left)) }
        var checkpoints: [Checkpoint] = [.readBack]
        if let minutes = spending.minutesSinceSameOrder(facts.spending) {
            checkpoints.append(.repeatOrder(minutesAgo: minutes))
        }
        if facts.pinRequired || cart.total.minorUnits > settings.pinAboveMinorUnits {
            guard facts.hasPIN else { return .refuse(.needsPINButNoneSet) }
            if facts.pinLocked { return .refuse(.pinLocked) }
            checkpoints.append(.pin)
        }
        return .ask(checkpoints)
    }

    /// The spending and repeat rules for this cart on this device, as the guard applies them at
    /// the read-back and the placing transaction applies them again on the facts it reads
    /// (`OrderPlacement.spendingCheck`). `repeatConfirmed`: the customer has already said the
    /// second yes for this cart.
    public func spendingCheck(_ cart: Cart, facts: Facts, repeatConfirmed: Bool = false, at now: Date) -> SpendingCheck {
        SpendingCheck(
            cart: cart, dailyLimitMinorUnits: facts.deviceDailyLimitMinorUnits ?? settings.dailySpendLimitMinorUnits,
            repeatWindowSeconds: settings.repeatWindowSeconds, repeatConfirmed: repeatConfirmed, at: now)
    }
}

extension ConfirmationGuard.Facts {
    /// What the spending check looks at, of these facts.
    public var spending: SpendingFacts {
        get { SpendingFacts(spentTodayMinorUnits: spentTodayMinorUnits, recentOrders: recentOrders) }
        set { (spentTodayMinorUnits, recentOrders) = (newValue.spentTodayMinorUnits, newValue.recentOrders) }
    }
}
