import Foundation
import Store
import Testing

struct DeviceRegistryTests {
    @Test func tokensAuthenticateAndRevocationSticks() throws {
        let registry = SQLiteDeviceStorage(database: try AppDatabase.inMemory())
        let (device, token) = try registry.register(name: "kitchen", customerId: "c1")
        #expect(token.hasPrefix("tsk_") && token.count == 68)
        #expect(try registry.device(forToken: token)?.id == device.id)
        #expect(try registry.device(forToken: token + "x") == nil)
        try registry.revoke(deviceId: device.id)
        #expect(try registry.device(forToken: token)?.isRevoked == true)
    }

    @Test func onlyTheTokenHashIsStored() throws {
        let database = try AppDatabase.inMemory()
        let (_, token) = try SQLiteDeviceStorage(database: database).register(name: "kitchen", customerId: "c1")
        let dump = try database.writer.read { db in try String.fetchAll(db, sql: "SELECT tokenHash FROM device") }
        #expect(dump.count == 1 && !dump[0].contains(token.dropFirst(4)))
    }

    @Test func conversationsResumeOnlyForTheirCustomer() throws {
        let log = SQLiteConversationStorage(database: try AppDatabase.inMemory())
        let conversation = try log.conversation(resuming: nil, customerId: "c1", initialState: "main")
        #expect(try log.conversation(resuming: conversation.id, customerId: "c1", initialState: "main").id == conversation.id)
        #expect(throws: ConversationResumeError.unknownConversation) {
            try log.conversation(resuming: conversation.id, customerId: "c2", initialState: "main")
        }
    }
}

