import Foundation
import Store
import Testing

/// Where the key-encryption key comes from: one node may make its own; nodes sharing a
/// database must all be given the same one.
struct KeyEncryptionKeyTests {
    @Test func nodesOnASharedDatabaseMustBeGivenTheKey() throws {
        #expect(throws: KeyVault.Failure.self) { try KeyVault.sharedKeyEncryptionKey(environment: [:]) }
        let given = Data((0..<32).map { UInt8($0) })
        let key = try KeyVault.sharedKeyEncryptionKey(environment: ["TALKSHOP_MASTER_KEY": given.base64EncodedString()])
        #expect(key.withUnsafeBytes { Data($0) } == given)
        #expect(throws: KeyVault.Failure.self) {
            try KeyVault.sharedKeyEncryptionKey(environment: ["TALKSHOP_MASTER_KEY_FILE": "/nonexistent/talkshop.key"])
        }
    }
}
