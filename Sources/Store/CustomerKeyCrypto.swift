import Crypto
import Foundation

/// The cryptography of per-customer keys, wherever the wrapped keys are kept (`KeyVault`'s
/// files, or PostgreSQL's `customerKey` table): a new AES-256 key wrapped by the key-encryption
/// key (KEK), unwrapped again, and data sealed and opened with it. The customer's id is
/// authenticated with every wrap and seal, so a key or a box moved to another customer does
/// not open.
public struct CustomerKeyCrypto: Sendable {
    /// Kept as bytes: `SymmetricKey` is not Sendable.
    private let keyEncryptionKeyBytes: Data
    private var keyEncryptionKey: SymmetricKey { SymmetricKey(data: keyEncryptionKeyBytes) }

    public init(keyEncryptionKey: SymmetricKey) {
        keyEncryptionKeyBytes = keyEncryptionKey.withUnsafeBytes { Data($0) }
    }

    /// A new data key for the customer, and that key wrapped for storage.
    public func newKey(for customerId: String) throws -> (key: SymmetricKey, wrapped: Data) {
        let key = SymmetricKey(size: .bits256)
        return (key, try wrap(key, for: customerId))
    }

    /// The customer's data key wrapped by this KEK, for storage.
    public func wrap(_ key: SymmetricKey, for customerId: String) throws -> Data {
        try key.withUnsafeBytes { bytes in
            try AES.GCM.seal(Data(bytes), using: keyEncryptionKey, authenticating: Data(customerId.utf8)).combined!
        }
    }

    public func unwrap(_ wrapped: Data, for customerId: String) throws -> SymmetricKey {
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            return SymmetricKey(data: try AES.GCM.open(box, using: keyEncryptionKey, authenticating: Data(customerId.utf8)))
        } catch {
            throw KeyVault.Failure.unreadable("the key of customer \(customerId)")
        }
    }

    public static func seal(_ plaintext: Data, with key: SymmetricKey, for customerId: String) throws -> Data {
        try AES.GCM.seal(plaintext, using: key, authenticating: Data(customerId.utf8)).combined!
    }

    public static func open(_ sealed: Data, with key: SymmetricKey, for customerId: String, what: String) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key, authenticating: Data(customerId.utf8))
        } catch {
            throw KeyVault.Failure.unreadable(what)
        }
    }
}
