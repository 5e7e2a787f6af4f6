import Crypto
import Foundation
import GRDB
import _CryptoExtras

/// Customers, their saved payment methods and addresses, and PIN checks with a lockout, in SQLite.
public struct SQLiteCustomerStorage: CustomerStorage {
    public let database: AppDatabase
    /// Wrong PINs in a row before PIN entry locks, and for how long.
    public var maxPINFailures = 3
    public var lockout: TimeInterval = 15 * 60

    public init(database: AppDatabase) { self.database = database }

    /// The customer with this phone number (E.164), if any.
    public func customer(phone: String) throws -> Customer? {
        try database.writer.read { db in try Customer.filter(Customer.Columns.phone == phone).fetchOne(db) }
    }

    /// Records whether the customer consents to their audio being stored; false for an unknown customer.
    @discardableResult
    public func setAudioConsent(customerId: String, _ consent: Bool) throws -> Bool {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE customer SET audioConsent = ? WHERE id = ?", arguments: [consent, customerId])
            return db.changesCount > 0
        }
    }

    /// Adds a customer with an optional PIN, default payment method and address.
    @discardableResult
    public func add(_ new: NewCustomer) throws -> Customer {
        let rows = try new.rows(at: Date())
        try database.writer.write { db in
            guard try Customer.fetchOne(db, key: rows.customer.id) == nil else { throw InvalidCustomer.exists(rows.customer.id) }
            if let phone = new.phone, try Customer.filter(Customer.Columns.phone == phone).fetchCount(db) > 0 {
                throw InvalidCustomer.phoneTaken(phone)
            }
            try rows.customer.insert(db)
            try rows.paymentMethod?.insert(db)
            try rows.address?.insert(db)
        }
        return rows.customer
    }

    public func customer(_ id: String) throws -> Customer? {
        try database.writer.read { db in try Customer.fetchOne(db, key: id) }
    }

    /// Revokes a customer's access: their devices' sessions end and none may order. False
    /// when there is no such customer; revoking twice keeps the first time.
    @discardableResult
    public func revoke(customerId: String, at now: Date = Date()) throws -> Bool {
        try database.writer.write { db in
            guard try Customer.fetchOne(db, key: customerId) != nil else { return false }
            try db.execute(sql: "UPDATE customer SET revokedAt = ? WHERE id = ? AND revokedAt IS NULL", arguments: [now, customerId])
            return true
        }
    }

    /// Customers revoked at or after `date` (the server closes their open sessions).
    public func revoked(since date: Date) throws -> [String] {
        try database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM customer WHERE revokedAt >= ?", arguments: [date])
        }
    }

    public func all() throws -> [Customer] {
        try database.writer.read { db in try Customer.order(Customer.Columns.createdAt).fetchAll(db) }
    }

    public func defaultPaymentMethod(customerId: String) throws -> PaymentMethod? {
        try database.writer.read { db in
            try PaymentMethod.filter(PaymentMethod.Columns.customerId == customerId)
                .order(PaymentMethod.Columns.isDefault.desc, PaymentMethod.Columns.createdAt.desc).fetchOne(db)
        }
    }

    public func paymentMethod(_ id: String) throws -> PaymentMethod? {
        try database.writer.read { db in try PaymentMethod.fetchOne(db, key: id) }
    }

    public func defaultAddress(customerId: String) throws -> Address? {
        try database.writer.read { db in
            try Address.filter(Address.Columns.customerId == customerId)
                .order(Address.Columns.isDefault.desc, Address.Columns.createdAt.desc).fetchOne(db)
        }
    }

    /// Pins (or with nil unpins) the customer's usual order.
    public func setUsual(customerId: String, linesJSON: String?) throws {
        try database.writer.write { db in
            try db.execute(sql: "UPDATE customer SET usualLinesJSON = ? WHERE id = ?", arguments: [linesJSON, customerId])
        }
    }

    /// Checks a spoken PIN. Wrong PINs count towards a lockout that outlives restarts; a right
    /// one resets the count. The PIN itself is never stored or logged.
    public func checkPIN(customerId: String, pin: String, at now: Date = Date()) throws -> PINCheck {
        try database.writer.write { db in
            guard let customer = try Customer.fetchOne(db, key: customerId) else { return .notSet }
            let (check, changed) = customer.checkingPIN(pin, at: now, maxFailures: maxPINFailures, lockout: lockout)
            if let changed { try changed.update(db) }
            return check
        }
    }

    package static func validate(pin: String) throws {
        guard pin.count == 4, pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw InvalidCustomer(description: "a PIN is exactly 4 digits")
        }
    }

    /// PBKDF2-HMAC-SHA256 at the minimum rounds swift-crypto allows (210,000, OWASP's figure).
    /// A 4-digit PIN has only 10,000 values, so the lockout, not the hash, is what protects it
    /// online; the hash keeps a stolen database from showing PINs at a glance.
    package static func hash(pin: String, salt: String) throws -> String {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(pin.utf8), salt: Array(salt.utf8), using: .sha256, outputByteCount: 32, rounds: 210_000)
        return key.withUnsafeBytes { bytes in bytes.map { String(format: "%02x", $0) }.joined() }
    }

    package static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}
