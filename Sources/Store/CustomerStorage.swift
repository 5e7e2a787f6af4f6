import Crypto
import Foundation
import _CryptoExtras

/// Where customers, their saved payment methods and addresses are kept: the SQLite database
/// (`SQLiteCustomerStorage`) or PostgreSQL (`PostgresCustomerStorage`). Both validate a new customer and
/// count wrong PINs the same way (`NewCustomer.rows`, `Customer.checkingPIN`).
public protocol CustomerStorage: Sendable {
    func customer(phone: String) async throws -> Customer?
    @discardableResult
    func setAudioConsent(customerId: String, _ consent: Bool) async throws -> Bool
    @discardableResult
    func add(_ new: NewCustomer) async throws -> Customer
    func customer(_ id: String) async throws -> Customer?
    @discardableResult
    func revoke(customerId: String, at now: Date) async throws -> Bool
    func revoked(since date: Date) async throws -> [String]
    func all() async throws -> [Customer]
    func defaultPaymentMethod(customerId: String) async throws -> PaymentMethod?
    func paymentMethod(_ id: String) async throws -> PaymentMethod?
    func defaultAddress(customerId: String) async throws -> Address?
    func setUsual(customerId: String, linesJSON: String?) async throws
    func checkPIN(customerId: String, pin: String, at now: Date) async throws -> PINCheck
}
