/// An amount in integer minor units (cents) of one currency. Never floating point.
public struct Money: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public var minorUnits: Int
    public var currency: String

    public init(minorUnits: Int, currency: String) {
        self.minorUnits = minorUnits
        self.currency = currency
    }

    public static func zero(_ currency: String) -> Money { Money(minorUnits: 0, currency: currency) }

    public struct CurrencyMismatch: Error, Equatable, CustomStringConvertible {
        public var left: String
        public var right: String
        public var description: String { "cannot combine \(left) with \(right)" }
    }

    public func adding(_ other: Money) throws(CurrencyMismatch) -> Money {
        guard currency == other.currency else { throw CurrencyMismatch(left: currency, right: other.currency) }
        return Money(minorUnits: minorUnits + other.minorUnits, currency: currency)
    }

    public func times(_ quantity: Int) -> Money { Money(minorUnits: minorUnits * quantity, currency: currency) }

    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.currency == rhs.currency ? lhs.minorUnits < rhs.minorUnits : lhs.currency < rhs.currency
    }

    /// "USD 4.25"; two decimals, as every currency the demo shops use has.
    public var description: String {
        let sign = minorUnits < 0 ? "-" : ""
        let value = abs(minorUnits)
        let cents = value % 100
        return "\(currency) \(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
