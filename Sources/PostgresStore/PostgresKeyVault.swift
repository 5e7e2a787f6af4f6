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

    /// Whether the customer has a key (an erasure's dry run reports it would be destroyed).
    public func hasKey(_ customerId: String) async throws -> Bool {
        try await existingKey(customerId) != nil
    }

    /// Deletes the customer's key row, on `connection` (the erasure's transaction). The caller
    /// rewrites the table afterwards (`PostgresTurnStorage.erase`). False when there was none.
    static func destroyKey(_ customerId: String, on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        try await connection.returnsRows(#"DELETE FROM "customerKey" WHERE "customerId" = \#(customerId) RETURNING 1"#, logger: logger)
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
            try await connection.returnsRows(
                #"""
                INSERT INTO "customerKey" ("customerId", "wrappedKey", "createdAt") VALUES (\#(customerId), \#(wrapped), \#(Date()))
                ON CONFLICT ("customerId") DO NOTHING RETURNING 1
                """#, logger: logger)
        }
        if inserted { return key }
        guard let winner = try await existingKey(customerId) else { throw KeyVault.Failure.noKey(customerId: customerId) }
        return winner
    }
}

extension PostgresKeyVault {
    /// Re-wraps every customer's key under `newKeyEncryptionKey`, in one transaction, then
    /// rewrites the key table so no table file holds a key wrapped under the old KEK. Once the
    /// old KEK is destroyed, the wrapped keys still in WAL segments and backups — among them
    /// those of customers erased since — open no more. Give the nodes the new KEK first: a node
    /// still holding the old one cannot read the keys after this. Returns how many keys were
    /// re-wrapped, and whether the rewrite came after every older transaction had ended.
    public func rotate(to newKeyEncryptionKey: SymmetricKey, waitingAtMost wait: Duration = .seconds(60)) async throws -> (keys: Int, rewritten: Bool) {
        let newCrypto = CustomerKeyCrypto(keyEncryptionKey: newKeyEncryptionKey)
        let (count, transaction) = try await database.withTransaction { [crypto] connection, logger in
            let transaction = try await Self.currentTransaction(on: connection, logger: logger)
            var keys: [(String, Data)] = []
            for try await row in try await connection.query(#"SELECT "customerId", "wrappedKey" FROM "customerKey" FOR UPDATE"#, logger: logger)
                .decode((String, Data).self)
            { keys.append(row) }
            for (customerId, wrapped) in keys {
                let rewrapped = try newCrypto.wrap(try crypto.unwrap(wrapped, for: customerId), for: customerId)
                try await connection.query(
                    #"UPDATE "customerKey" SET "wrappedKey" = \#(rewrapped) WHERE "customerId" = \#(customerId)"#, logger: logger)
            }
            return (keys.count, transaction)
        }
        let rewritten = try await database.withConnection { connection, logger in
            try await Self.rewriteKeyTable(after: transaction, on: connection, logger: logger, waitingAtMost: wait)
        }
        return (count, rewritten)
    }

    /// This transaction's id, as `pg_stat_activity` and `age()` compare them.
    static func currentTransaction(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        var transaction: Int64 = 0
        for try await xid in try await connection.query("SELECT txid_current() % 4294967296", logger: logger).decode(Int64.self) {
            transaction = xid
        }
        return transaction
    }

    /// Rewrites the key table (`VACUUM FULL`: new files, the old ones removed), leaving out the
    /// row versions that transaction `xid` deleted or replaced. A rewrite keeps a version that a
    /// running transaction might still see — one begun before `xid`, in any database of the
    /// cluster, even a connection still starting up, or a standby's replication slot — so it
    /// waits, at most `limit`, until none is left; false if one still was.
    static func rewriteKeyTable(after xid: Int64, on connection: PostgresConnection, logger: Logger, waitingAtMost limit: Duration)
        async throws -> Bool
    {
        let deadline = ContinuousClock.now + limit
        let transaction = String(xid)
        var clear = false
        while !clear {
            var older: Int64 = 0
            for try await count in try await connection.query(
                #"""
                SELECT (SELECT COUNT(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_xmin IS NOT NULL
                            AND age(backend_xmin) >= age(\#(transaction)::xid))
                     + (SELECT COUNT(*) FROM pg_replication_slots WHERE xmin IS NOT NULL AND age(xmin) >= age(\#(transaction)::xid))
                """#, logger: logger
            ).decode(Int64.self) { older = count }
            clear = older == 0
            guard !clear, ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await connection.query(#"VACUUM FULL "customerKey""#, logger: logger)
        return clear
    }
}
