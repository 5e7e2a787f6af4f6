import Commerce
import Crypto
import Foundation
import PostgresStore
import Store
import Testing

/// The analytics' contacts on both backends: recorded, read by window, anonymised by an
/// erasure, and rebuilt from stored turns and orders for sessions that have none.
struct ContactLogTests {
    @Test(arguments: Backend.available)
    func contactsAreRecordedReadAndAnonymised(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))  // whole seconds: SQLite keeps milliseconds
            let contact = ContactRecord(
                sessionId: "s1", conversationId: "c1", customerId: "ann", channel: "speaker", startedAt: now.addingTimeInterval(-60),
                endedAt: now, topic: "order", counts: ["turns": 3, "paid": 1], endedAsking: nil, trailingRejections: 0, secondsToOrder: 42)
            try await nodeA.contacts.record(contact)
            try await nodeA.contacts.record(contact)  // a retry replaces it
            #expect(try await nodeB.contacts.contacts(endedSince: now.addingTimeInterval(-1)) == [contact])
            #expect(try await nodeB.contacts.contacts(endedSince: now.addingTimeInterval(1)).isEmpty)
            #expect(try await nodeB.contacts.anonymise(customerId: "ann") == 1)
            let kept = try await nodeA.contacts.contacts(endedSince: .distantPast)
            #expect(kept.first?.customerId == nil && kept.first?.counts == ["turns": 3, "paid": 1])
            // Renamed, so orders and session rows that still carry the old names lead nowhere; cut to the hour.
            #expect(kept.first?.sessionId.hasPrefix("anonymous-") == true && kept.first?.conversationId?.hasPrefix("anonymous-") == true)
            #expect(kept.first.map { $0.startedAt.timeIntervalSince1970.truncatingRemainder(dividingBy: 3_600) } == 0)
            #expect(kept.first.map { $0.endedAt.timeIntervalSince($0.startedAt) } == 60, "the duration is kept")
        }
    }

    @Test(arguments: Backend.available)
    func aSessionWithoutAContactIsRebuiltFromItsTurnsAndOrders(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { shop, _ throws in
            _ = try await shop.customers.add(.init(id: "c1", name: "Cy", paymentMethod: (token: "pm_card_visa", label: "Visa")))
            let device = try await shop.devices.register(
                name: "speaker", customerId: "c1", pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker"
            ).device
            let conversation = try await shop.conversations.conversation(resuming: nil, customerId: "c1", initialState: "main")
            let session = try await shop.conversations.open(deviceId: device.id, channel: "voice")
            try await Self.turnLog(backend, shop).record(
                Turn(conversationId: conversation.id, sessionId: session.id, customerId: "c1", transcript: "a latte", intent: "orderDrink",
                     confidence: 0.9, outcome: "accepted"), audio: nil)
            for (intent, outcome) in [(nil, "rejected:no_match"), ("checkout", "accepted"), ("yes", "accepted")] {
                try await Self.turnLog(backend, shop).record(
                    Turn(conversationId: conversation.id, sessionId: session.id, customerId: "c1", transcript: nil, intent: intent,
                         confidence: 0.9, outcome: outcome), audio: nil)
            }
            let line = Cart.Line(productId: "latte", quantity: 1, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
            let order = try await shop.orders.place(
                .init(customerId: "c1", deviceId: device.id, lines: [line], total: line.total, idempotencyKey: "\(session.id):1", source: session.id),
                at: Date())
            _ = try await shop.orders.transition(orderId: order.order.id, to: .paid, from: nil, note: nil, source: "test", at: Date())
            try await shop.conversations.close(sessionId: session.id, reason: "client_stop", utterances: 4, audioSeconds: 6)

            #expect(try await ContactRebuild(contacts: shop.contacts).run(endedSince: Date().addingTimeInterval(-60)) == 1)
            let rebuilt = try #require(try await shop.contacts.contacts(endedSince: .distantPast).first)
            #expect(rebuilt.rebuilt && rebuilt.channel == "speaker" && rebuilt.topic == "order" && rebuilt.customerId == "c1")
            #expect(rebuilt.counts == [
                "turns": 4, "recognised:orderDrink": 1, "recognised:checkout": 1, "recognised:yes": 1, "rejected:unknown:no_match": 1,
                "cart": 1, "asked:read_back": 1, "confirmed:read_back": 1, "ordered": 1, "paid": 1,
            ])
            #expect(ConversationOutcome.of(rebuilt.counts, endedAsking: nil, trailingRejections: 0) == .ordered)
            // Run again: the rebuilt contact is replaced, not doubled; a live one is never touched.
            #expect(try await ContactRebuild(contacts: shop.contacts).run(endedSince: Date().addingTimeInterval(-60)) == 1)
            #expect(try await shop.contacts.contacts(endedSince: .distantPast).count == 1)
        }
    }

    /// A turn log on the backend's database (SQLite's keeps its keys in a directory of its own).
    static func turnLog(_ backend: Backend, _ shop: ShopStores) throws -> any TurnStorage {
        switch backend {
        case .sqlite:
            let database = try #require((shop.contacts as? SQLiteContactStorage)?.database)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("contacts-\(UUID())")
            return SQLiteTurnStorage(
                database: database, vault: KeyVault(directory: directory, keyEncryptionKey: SymmetricKey(size: .bits256)), directory: directory)
        case .postgres:
            let connections = try #require((shop.contacts as? PostgresContactStorage)?.connections)
            return PostgresTurnStorage(database: connections, vault: PostgresKeyVault(database: connections, keyEncryptionKey: SymmetricKey(size: .bits256)))
        }
    }
}
