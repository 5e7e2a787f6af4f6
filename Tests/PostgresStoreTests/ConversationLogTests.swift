import Foundation
import PostgresStore
import Store
import Testing

/// Conversations and sessions on both backends, the same tests: a conversation resumes on
/// another node with its cart, and two nodes saving the same cart version cannot both win.
struct ConversationLogTests {
    typealias Nodes = (nodeA: any ConversationStorage, nodeB: any ConversationStorage, devices: any DeviceStorage)

    /// Two logs (two nodes) and a device directory on one new, empty database of `backend`.
    static func withNodes(_ backend: Backend, _ body: (any ConversationStorage, any ConversationStorage, any DeviceStorage) async throws -> Void) async throws {
        try await backend.with(
            sqlite: { database -> Nodes in (SQLiteConversationStorage(database: database), SQLiteConversationStorage(database: database), SQLiteDeviceStorage(database: database)) },
            postgres: { connections -> Nodes in
                (PostgresConversationStorage(database: connections), PostgresConversationStorage(database: connections), PostgresDeviceStorage(database: connections))
            }
        ) { nodes in try await body(nodes.nodeA, nodes.nodeB, nodes.devices) }
    }

    @Test(arguments: Backend.available)
    func aConversationResumesOnAnotherNodeWithItsCart(_ backend: Backend) async throws {
        try await Self.withNodes(backend) { nodeA, nodeB, _ in
            let started = try await nodeA.conversation(resuming: nil, customerId: "c1", initialState: "main")
            #expect(try await nodeA.saveCart(conversationId: started.id, json: #"[{"productId":"latte"}]"#, replacing: 0) == 1)
            try await nodeA.save(conversationId: started.id, state: "confirmation")

            let resumed = try await nodeB.conversation(resuming: started.id, customerId: "c1", initialState: "main")
            #expect(resumed.id == started.id && resumed.dialogState == "confirmation" && resumed.cartVersion == 1)
            #expect(try await nodeB.cart(conversationId: started.id)?.json == #"[{"productId":"latte"}]"#)
            await #expect(throws: ConversationResumeError.unknownConversation) {
                try await nodeB.conversation(resuming: started.id, customerId: "someone-else", initialState: "main")
            }
            await #expect(throws: ConversationResumeError.unknownConversation) {
                try await nodeB.conversation(resuming: "no-such-conversation", customerId: "c1", initialState: "main")
            }
        }
    }

    @Test(arguments: Backend.available)
    func twoNodesSavingTheSameCartVersionCannotBothWin(_ backend: Backend) async throws {
        try await Self.withNodes(backend) { nodeA, nodeB, _ in
            let conversation = try await nodeA.conversation(resuming: nil, customerId: "c1", initialState: "main")
            async let fromA = nodeA.saveCart(conversationId: conversation.id, json: "A", replacing: 0)
            async let fromB = nodeB.saveCart(conversationId: conversation.id, json: "B", replacing: 0)
            let results = try await [fromA, fromB]
            #expect(results.compactMap { $0 } == [1], "exactly one save wins: \(results)")
            let stored = try #require(try await nodeA.cart(conversationId: conversation.id))
            #expect(stored.version == 1 && (stored.json == "A") == (results[0] == 1))
        }
    }

    @Test(arguments: Backend.available)
    func sessionsAreOpenedAttachedAndClosed(_ backend: Backend) async throws {
        try await Self.withNodes(backend) { nodeA, nodeB, devices in
            let (device, _) = try await devices.register(name: "hall", customerId: "c1", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker")
            let conversation = try await nodeA.conversation(resuming: nil, customerId: "c1", initialState: "main")
            let session = try await nodeA.open(deviceId: device.id, channel: "voice")
            try await nodeA.attach(sessionId: session.id, conversationId: conversation.id)
            #expect(try await nodeB.openSessions().map(\.id) == [session.id])
            try await nodeB.close(sessionId: session.id, reason: "client_stop", utterances: 3, audioSeconds: 7.5)
            let closed = try #require(try await nodeA.session(id: session.id))
            #expect(closed.conversationId == conversation.id && closed.endReason == "client_stop" && closed.utterances == 3 && closed.audioSeconds == 7.5)
            #expect(closed.endedAt != nil)
            #expect(try await nodeA.openSessions().isEmpty)
        }
    }
}
