import ArgumentParser
import Foundation
import PostgresStore
import Store

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage the key-encryption key that wraps every customer's data key (docs/compliance.md).",
        subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-wrap every customer's key in the shared database under a new key-encryption key.",
            discussion: """
                The current KEK comes from TALKSHOP_MASTER_KEY or TALKSHOP_MASTER_KEY_FILE, as the
                nodes get it; the new one from --new-key-file (32 bytes in base64, e.g.
                `openssl rand -base64 32`). In one transaction every wrapped key is re-wrapped, then
                the key table is rewritten, so no table file holds a key wrapped under the old KEK.
                Once the old KEK is destroyed, the wrapped keys left in WAL segments and backups —
                among them those of customers erased since — open no more.

                Order of work: stop the nodes (or accept failed turns meanwhile), rotate, give every
                node the new KEK, start them, then destroy the old KEK.
                """)
        @OptionGroup var data: DataOptions
        @Option(help: "A file holding the new key-encryption key (base64 of 32 bytes).") var newKeyFile: String

        func run() async throws {
            guard let connections = try await data.migratedPostgres() else {
                throw UsageError("rotation is for the shared database (--database or TALKSHOP_DATABASE_URL); one node's keys are files under its data directory's keys/")
            }
            let current = try KeyVault.sharedKeyEncryptionKey()
            let new = try KeyVault.sharedKeyEncryptionKey(environment: ["TALKSHOP_MASTER_KEY_FILE": newKeyFile])
            guard current != new else { throw UsageError("the new key-encryption key is the current one") }
            let vault = PostgresKeyVault(database: connections, keyEncryptionKey: current)
            let started = ContinuousClock.now
            let (keys, rewritten) = try await vault.rotate(to: new)
            print("re-wrapped \(keys) customer keys under the new key-encryption key (\(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s)")
            guard rewritten else {
                print("the key table was rewritten while an older transaction still ran: it may keep keys wrapped under the old KEK; run the rotation again (with the new key as current) before destroying the old one")
                throw ExitCode(2)
            }
            print("key table rewritten: no table file holds a key wrapped under the old KEK; give every node the new key, then destroy the old one")
        }
    }
}
