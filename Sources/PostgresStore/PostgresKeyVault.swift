import Crypto
import Foundation
import Logging
import PostgresNIO
import Store

/// Per-customer data keys in PostgreSQL (`customerKey`), wrapped by the key-encryption key,
/// which never enters the database: every node is given the same KEK from a secret store.
/// Destroying a customer's key row and rewriting the table (`VACUUM FULL`) makes every copy of
/// their sealed transcripts and recordings — in the table's old pages, the WAL, a backup —
/// unreadable (docs/compliance.md, "Erasure on PostgreSQL").
public struct PostgresKeyVault: Sendable {
    private let database: PostgresConnections
    private let crypto: CustomerKeyCrypto

    public init(database: PostgresConnections, keyEncryptionKey: SymmetricKey) {
        self.database = database
        crypto = CustomerKeyCrypto(keyEncryptionKey: keyEncryptionKey)
    }

    /// Seals `plaintext` under the customer's key, creating the key on first use.
    public func seal(_ plaintext: Data, customerId: String) async throws -> Data {
        let key: SymmetricKey
        if let existing = try await existingKey(customerId) { key = existing } else { key = try await createKey(customerId) }
        return try CustomerKeyCrypto.seal(plaintext, with: key, for: customerId)
    }

    /// Opens what `seal` sealed; `KeyVault.Failure.noKey` once the customer is erased.
    public func open(_ sealed: Data, customerId: String, what: String = "data") async throws -> Data {
        guard let key = try await existingKey(customerId) else { throw KeyVault.Failure.noKey(customerId: customerId) }
        return try CustomerKeyCrypto.open(sealed, with: key, for: customerId, what: what)
    }

    /// Deletes the customer's key row, on `connection` (the erasure's transaction). The caller
    /// rewrites the table afterwards (`PostgresTurnLog.erase`). False when there was none.
    static func destroyKey(_ customerId: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await !connection.query(#"DELETE FROM "customerKey" WHERE "customerId" = \#(customerId) RETURNING 1"#, logger: logger)
            .collect().isEmpty
    }

    private func existingKey(_ customerId: String) async throws -> SymmetricKey? {
        let wrapped = try await database.withConnection { connection, logger in
            var found: Data?
            for try await wrapped in try await connection.query(
                #"SELECT "wrappedKey" FROM "customerKey" WHERE "customerId" = \#(customerId)"#, logger: logger
            ).decode(Data.self) { found = wrapped }
            return found
        }
        return try wrapped.map { try crypto.unwrap($0, for: customerId) }
    }

    /// Two nodes may create a customer's key at once: the first insert wins and both use it.
    private func createKey(_ customerId: String) async throws -> SymmetricKey {
        let (key, wrapped) = try crypto.newKey(for: customerId)
        let inserted = try await database.withConnection { connection, logger in
            try await !connection.query(
                #"""
                INSERT INTO "customerKey" ("customerId", "wrappedKey", "createdAt") VALUES (\#(customerId), \#(wrapped), \#(Date()))
                ON CONFLICT ("customerId") DO NOTHING RETURNING 1
                """#, logger: logger
            ).collect().isEmpty
        }
        if inserted { return key }
        guard let winner = try await existingKey(customerId) else { throw KeyVault.Failure.noKey(customerId: customerId) }
        return winner
    }
}
