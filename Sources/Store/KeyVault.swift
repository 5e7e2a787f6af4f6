import Crypto
import Foundation

/// Per-customer data keys for encryption at rest (AES-256-GCM), each stored wrapped by the
/// key-encryption key (KEK) in its own file under `keys/`, apart from the database. Destroying
/// a customer's key file makes every copy of their sealed transcripts and recordings —
/// database backups included — unreadable: crypto-shredding. Back up `keys/` separately
/// from the database, or not at all.
public struct KeyVault: Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// The customer's key was destroyed (erasure) or never existed.
        case noKey(customerId: String)
        /// The data or the wrapped key does not open: tampered with, or another KEK.
        case unreadable(String)
        case badMasterKey(String)

        public var description: String {
            switch self {
            case .noKey(let id): "customer \(id) has no key: their data was erased or never stored"
            case .unreadable(let what): "\(what) could not be decrypted (wrong key-encryption key or damaged)"
            case .badMasterKey(let why): "key-encryption key: \(why)"
            }
        }
    }

    public let directory: URL
    private let crypto: CustomerKeyCrypto

    public init(directory: URL, keyEncryptionKey: SymmetricKey) {
        self.directory = directory
        crypto = CustomerKeyCrypto(keyEncryptionKey: keyEncryptionKey)
    }

    /// The vault under `<data>/keys`, with the KEK `keyEncryptionKey(dataDirectory:)` finds.
    public static func open(dataDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> KeyVault {
        KeyVault(
            directory: dataDirectory.appendingPathComponent("keys"),
            keyEncryptionKey: try keyEncryptionKey(dataDirectory: dataDirectory, environment: environment))
    }

    /// The KEK from `TALKSHOP_MASTER_KEY` (base64 of 32 bytes), else from the file named by
    /// `TALKSHOP_MASTER_KEY_FILE`, else from `<data>/master.key`, created (mode 0600) on first use.
    public static func keyEncryptionKey(
        dataDirectory: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> SymmetricKey {
        if let given = try givenKeyEncryptionKey(environment) { return given }
        let file = dataDirectory.appendingPathComponent("master.key")
        if !FileManager.default.fileExists(atPath: file.path) {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            let fresh = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
            try createExclusively(file, contents: Data((fresh + "\n").utf8))
        }
        return try masterKey(fromBase64: try String(contentsOf: file, encoding: .utf8), source: file.path)
    }

    /// The KEK of nodes sharing a database: from `TALKSHOP_MASTER_KEY` or
    /// `TALKSHOP_MASTER_KEY_FILE` only, never made up by one node, which the others could not
    /// share (they would find the keys it wrapped unreadable).
    public static func sharedKeyEncryptionKey(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> SymmetricKey {
        guard let given = try givenKeyEncryptionKey(environment) else {
            throw Failure.badMasterKey(
                "nodes on a shared database need one key-encryption key: set TALKSHOP_MASTER_KEY or TALKSHOP_MASTER_KEY_FILE on every node (docs/deployment.md)")
        }
        return given
    }

    /// The KEK the environment gives: `TALKSHOP_MASTER_KEY` (base64 of 32 bytes), else the file
    /// named by `TALKSHOP_MASTER_KEY_FILE` (which must exist); nil when neither is set.
    static func givenKeyEncryptionKey(_ environment: [String: String]) throws -> SymmetricKey? {
        if let base64 = environment["TALKSHOP_MASTER_KEY"] {
            return try masterKey(fromBase64: base64, source: "TALKSHOP_MASTER_KEY")
        }
        guard let path = environment["TALKSHOP_MASTER_KEY_FILE"] else { return nil }
        guard FileManager.default.fileExists(atPath: path) else { throw Failure.badMasterKey("\(path) does not exist") }
        return try masterKey(fromBase64: try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8), source: path)
    }

    static func masterKey(fromBase64 text: String, source: String) throws -> SymmetricKey {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw Failure.badMasterKey("\(source) must hold 32 bytes in base64 (e.g. `openssl rand -base64 32`)")
        }
        return SymmetricKey(data: data)
    }

    /// Seals `plaintext` under the customer's key, creating the key on first use.
    public func seal(_ plaintext: Data, customerId: String) throws -> Data {
        let key = try existingKey(customerId) ?? createKey(customerId)
        return try CustomerKeyCrypto.seal(plaintext, with: key, for: customerId)
    }

    public func open(_ sealed: Data, customerId: String, what: String = "data") throws -> Data {
        guard let key = try existingKey(customerId) else { throw Failure.noKey(customerId: customerId) }
        return try CustomerKeyCrypto.open(sealed, with: key, for: customerId, what: what)
    }

    public func hasKey(_ customerId: String) -> Bool {
        FileManager.default.fileExists(atPath: keyFile(customerId).path)
    }

    /// Overwrites the wrapped key with zeros, flushes it, and removes the file.
    /// Returns false when there was no key.
    @discardableResult
    public func destroyKey(_ customerId: String) throws -> Bool {
        try SecureFile.destroy(keyFile(customerId))
    }

    private func keyFile(_ customerId: String) -> URL {
        // Hashed, so a directory listing does not name the customers.
        let name = SHA256.hash(data: Data(customerId.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        return directory.appendingPathComponent(name + ".key")
    }

    private func existingKey(_ customerId: String) throws -> SymmetricKey? {
        // Only a missing file is "no key": an unreadable one is an error, never a reason to make a new key.
        let file = keyFile(customerId)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let wrapped = try Data(contentsOf: file)
        return try crypto.unwrap(wrapped, for: customerId)
    }

    /// Two sessions of one customer may race to create the key: the file is created
    /// exclusively, and the loser uses the winner's key.
    private func createKey(_ customerId: String) throws -> SymmetricKey {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (key, wrapped) = try crypto.newKey(for: customerId)
        do {
            try Self.createExclusively(keyFile(customerId), contents: wrapped)
            return key
        } catch CocoaError.fileWriteFileExists {
            guard let winner = try existingKey(customerId) else { throw Failure.noKey(customerId: customerId) }
            return winner
        }
    }

    /// Writes a temporary file, flushes it, then links it into place: the link fails if the
    /// name exists, so no reader ever sees half a key and no key is ever replaced.
    static func createExclusively(_ url: URL, contents: Data) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: contents, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        defer { unlink(temporary.path) }
        try SecureFile.flush(temporary)
        guard link(temporary.path, url.path) == 0 else {
            if errno == EEXIST { throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: url.path]) }
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }
}
