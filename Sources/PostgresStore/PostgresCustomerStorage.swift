import Foundation
import Logging
import PostgresNIO
import Store

/// Customers, their saved payment methods and addresses in PostgreSQL, checked and PIN-counted
/// by the same rules as SQLite's `SQLiteCustomerStorage`. A PIN check locks the customer's row, so wrong
/// PINs spoken on two nodes at once both count.
public struct PostgresCustomerStorage: CustomerStorage {
    private let database: PostgresConnections
    /// Wrong PINs in a row before PIN entry locks, and for how long.
    public var maxPINFailures = 3
    public var lockout: TimeInterval = 15 * 60

    public init(database: PostgresConnections) {
        self.database = database
    }

    static let customerColumns = #""id", "name", "pinHash", "pinSalt", "pinRequired", "pinFailures", "pinLockedUntil", "usualLinesJSON", "createdAt", "audioConsent", "phone", "revokedAt""#

    public func customer(phone: String) async throws -> Customer? {
        try await customers(where: #""phone" = $1"#, [phone]).first
    }

    @discardableResult
    public func setAudioConsent(customerId: String, _ consent: Bool) async throws -> Bool {
        try await changed(#"UPDATE "customer" SET "audioConsent" = \#(consent) WHERE "id" = \#(customerId) RETURNING "id""#)
    }

    @discardableResult
    public func add(_ new: NewCustomer) async throws -> Customer {
        let rows = try new.rows(at: Date())
        try await database.withTransaction { connection, logger in
            if try await !Self.customers(on: connection, logger, where: #""id" = $1"#, [rows.customer.id]).isEmpty {
                throw InvalidCustomer.exists(rows.customer.id)
            }
            if let phone = new.phone, try await !Self.customers(on: connection, logger, where: #""phone" = $1"#, [phone]).isEmpty {
                throw InvalidCustomer.phoneTaken(phone)
            }
            let customer = rows.customer
            try await connection.query(
                """
                INSERT INTO "customer" (\(unescaped: Self.customerColumns)) VALUES (
                    \(customer.id), \(customer.name), \(customer.pinHash), \(customer.pinSalt), \(customer.pinRequired), \(customer.pinFailures),
                    \(customer.pinLockedUntil), \(customer.usualLinesJSON), \(customer.createdAt), \(customer.audioConsent), \(customer.phone),
                    \(customer.revokedAt))
                """, logger: logger)
            if let method = rows.paymentMethod {
                try await connection.query(
                    """
                    INSERT INTO "paymentMethod" ("id", "customerId", "token", "label", "isDefault", "createdAt")
                    VALUES (\(method.id), \(method.customerId), \(method.token), \(method.label), \(method.isDefault), \(method.createdAt))
                    """, logger: logger)
            }
            if let address = rows.address {
                try await connection.query(
                    """
                    INSERT INTO "address" ("id", "customerId", "text", "isDefault", "createdAt")
                    VALUES (\(address.id), \(address.customerId), \(address.text), \(address.isDefault), \(address.createdAt))
                    """, logger: logger)
            }
        }
        return rows.customer
    }

    public func customer(_ id: String) async throws -> Customer? {
        try await customers(where: #""id" = $1"#, [id]).first
    }

    @discardableResult
    public func revoke(customerId: String, at now: Date = Date()) async throws -> Bool {
        // COALESCE keeps the first revocation's time; RETURNING tells whether the customer exists.
        try await changed(#"UPDATE "customer" SET "revokedAt" = COALESCE("revokedAt", \#(now)) WHERE "id" = \#(customerId) RETURNING "id""#)
    }

    public func revoked(since date: Date) async throws -> [String] {
        try await customers(where: #""revokedAt" >= $1"#, [date]).map(\.id)
    }

    public func all() async throws -> [Customer] {
        try await customers(where: #"TRUE ORDER BY "createdAt", "id""#, [])
    }

    public func defaultPaymentMethod(customerId: String) async throws -> PaymentMethod? {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"""
                SELECT "id", "customerId", "token", "label", "isDefault", "createdAt" FROM "paymentMethod"
                WHERE "customerId" = \#(customerId) ORDER BY "isDefault" DESC, "createdAt" DESC LIMIT 1
                """#, logger: logger)
            return try await Self.paymentMethods(rows).first
        }
    }

    public func paymentMethod(_ id: String) async throws -> PaymentMethod? {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"SELECT "id", "customerId", "token", "label", "isDefault", "createdAt" FROM "paymentMethod" WHERE "id" = \#(id)"#, logger: logger)
            return try await Self.paymentMethods(rows).first
        }
    }

    public func defaultAddress(customerId: String) async throws -> Address? {
        try await database.withConnection { connection, logger in
            let rows = try await connection.query(
                #"""
                SELECT "id", "customerId", "text", "isDefault", "createdAt" FROM "address"
                WHERE "customerId" = \#(customerId) ORDER BY "isDefault" DESC, "createdAt" DESC LIMIT 1
                """#, logger: logger)
            var found: Address?
            for try await (id, customerId, text, isDefault, created) in rows.decode((String, String, String, Bool, Date).self) {
                found = Address(id: id, customerId: customerId, text: text, isDefault: isDefault, at: created)
            }
            return found
        }
    }

    public func setUsual(customerId: String, linesJSON: String?) async throws {
        _ = try await changed(#"UPDATE "customer" SET "usualLinesJSON" = \#(linesJSON) WHERE "id" = \#(customerId) RETURNING "id""#)
    }

    public func checkPIN(customerId: String, pin: String, at now: Date = Date()) async throws -> PINCheck {
        try await database.withTransaction { [maxPINFailures, lockout] connection, logger in
            guard let customer = try await Self.customers(on: connection, logger, where: #""id" = $1 FOR UPDATE"#, [customerId]).first else {
                return .notSet
            }
            let (check, changed) = customer.checkingPIN(pin, at: now, maxFailures: maxPINFailures, lockout: lockout)
            if let changed {
                try await connection.query(
                    #"""
                    UPDATE "customer" SET "pinFailures" = \#(changed.pinFailures), "pinLockedUntil" = \#(changed.pinLockedUntil)
                    WHERE "id" = \#(customerId)
                    """#, logger: logger)
            }
            return check
        }
    }

    // MARK: - Statements shared by the methods above

    /// Runs an UPDATE … RETURNING and says whether it touched a row.
    private func changed(_ update: PostgresQuery) async throws -> Bool {
        try await database.withConnection { connection, logger in try await connection.returnsRows(update, logger: logger) }
    }

    private func customers(where condition: String, _ values: [any PostgresEncodable & Sendable]) async throws -> [Customer] {
        try await database.withConnection { connection, logger in try await Self.customers(on: connection, logger, where: condition, values) }
    }

    static func customers(
        on connection: PostgresConnection, _ logger: Logger, where condition: String, _ values: [any PostgresEncodable & Sendable]
    ) async throws -> [Customer] {
        let rows = try await connection.query(
            .selecting(#"SELECT \#(customerColumns) FROM "customer" WHERE \#(condition)"#, values), logger: logger)
        var found: [Customer] = []
        for try await (id, name, pinHash, pinSalt, pinRequired, failures, lockedUntil, usual, created, consent, phone, revoked) in rows.decode(
            (String, String, String?, String?, Bool, Int, Date?, String?, Date, Bool, String?, Date?).self)
        {
            found.append(Customer(
                id: id, name: name, pinHash: pinHash, pinSalt: pinSalt, pinRequired: pinRequired, pinFailures: failures,
                pinLockedUntil: lockedUntil, usualLinesJSON: usual, createdAt: created, audioConsent: consent, phone: phone, revoked: revoked))
        }
        return found
    }

    static func paymentMethods(_ rows: PostgresRowSequence) async throws -> [PaymentMethod] {
        var found: [PaymentMethod] = []
        for try await (id, customerId, token, label, isDefault, created) in rows.decode((String, String, String, String, Bool, Date).self) {
            found.append(PaymentMethod(id: id, customerId: customerId, token: token, label: label, isDefault: isDefault, at: created))
        }
        return found
    }
}
