import Commerce
import Foundation
import Store
import Testing

struct OrderBookTests {
    static let catalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 3),
        Product(id: "mocha", name: "mocha", price: Money(minorUnits: 450, currency: "USD"), stock: 10),
    ])

    static func database(at path: URL? = nil) throws -> AppDatabase {
        let database = try path.map { try AppDatabase.open(at: $0) } ?? AppDatabase.inMemory()
        try CatalogStore(database: database).seedIfEmpty(with: catalog)
        return database
    }

    func placement(key: String, lattes: Int = 1, device: String = "d1") -> OrderBook.Placement {
        let line = Cart.Line(productId: "latte", quantity: lattes, options: [:], unitPrice: Money(minorUnits: 425, currency: "USD"))
        return .init(
            customerId: "c1", deviceId: device, lines: [line], total: line.total, idempotencyKey: key, source: "test",
            fingerprints: ["fp-\(key)"])
    }

    func stock(_ database: AppDatabase, _ id: String) throws -> Int {
        try CatalogStore(database: database).catalog().product(id)!.stock
    }

    @Test func aRetriedPlacementReturnsTheSameOrderAndTakesStockOnce() throws {
        let database = try Self.database()
        let book = OrderBook(database: database)
        let first = try book.place(placement(key: "k1"))
        let retry = try book.place(placement(key: "k1"))
        #expect(first.isNew && !retry.isNew)
        #expect(first.order.id == retry.order.id)
        #expect(try book.all().count == 1)
        #expect(try stock(database, "latte") == 2)
        #expect(try book.events(orderId: first.order.id).map(\.status) == [.placed])
        #expect(try book.hasFingerprint("fp-k1"))
        #expect(try !book.hasFingerprint("fp-other"))
    }

    @Test func concurrentDuplicatesCreateExactlyOne() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).sqlite")
        let book = OrderBook(database: try Self.database(at: path))
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try book.place(placement(key: "same")).order.id } }
            let ids = try await group.reduce(into: Set<String>()) { $0.insert($1) }
            #expect(ids.count == 1)
        }
        #expect(try book.all().count == 1)
    }

    @Test func runningOutOfStockChangesNothing() throws {
        let database = try Self.database()
        let book = OrderBook(database: database)
        #expect(throws: CommerceError.outOfStock(productId: "latte", available: 3)) {
            try book.place(placement(key: "big", lattes: 4))
        }
        #expect(try book.all().isEmpty)
        #expect(try stock(database, "latte") == 3)
        #expect(try !book.hasFingerprint("fp-big"))
    }

    @Test func illegalTransitionsAreTypedErrorsAndCancellingRestocks() throws {
        let database = try Self.database()
        let book = OrderBook(database: database)
        let order = try book.place(placement(key: "k", lattes: 2)).order
        #expect(throws: CommerceError.illegalTransition(from: .placed, to: .delivered)) {
            try book.transition(orderId: order.id, to: .delivered, source: "test")
        }
        #expect(try book.order(order.id)?.status == .placed)
        try book.transition(orderId: order.id, to: .cancelled, note: "changed mind", source: "test")
        #expect(try stock(database, "latte") == 3)
        #expect(try book.events(orderId: order.id).map(\.status) == [.placed, .cancelled])
        #expect(throws: CommerceError.illegalTransition(from: .cancelled, to: .paid)) {
            try book.transition(orderId: order.id, to: .paid, source: "test")
        }
    }

    @Test func todaysSpendCountsOnlyLiveOrdersOfTheDevice() throws {
        let book = OrderBook(database: try Self.database())
        _ = try book.place(placement(key: "a", lattes: 1))
        let cancelled = try book.place(placement(key: "b", lattes: 1)).order
        try book.transition(orderId: cancelled.id, to: .cancelled, source: "test")
        _ = try book.place(placement(key: "c", lattes: 1, device: "d2"))
        #expect(try book.spentToday(deviceId: "d1") == 425)
        #expect(try book.spentToday(deviceId: "d1", at: Date().addingTimeInterval(2 * 86_400)) == 0)
    }

    /// A conversation whose stored cart holds one latte, at cart version 1.
    func conversationWithALatte(_ database: AppDatabase) throws -> OrderBook.CartClaim {
        let log = SessionLog(database: database)
        let conversation = try log.conversation(resuming: nil, customerId: "c1", initialState: "main")
        let version = try #require(try log.saveCart(conversationId: conversation.id, json: #"[{"productId":"latte"}]"#, replacing: 0))
        return .init(conversationId: conversation.id, version: version)
    }

    @Test func oneCartVersionBecomesAtMostOneOrderWhateverTheKeys() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).sqlite")
        let database = try Self.database(at: path)
        let book = OrderBook(database: database)
        let claim = try conversationWithALatte(database)
        // Eight sessions confirm the same read-back, each under its own idempotency key.
        let outcomes = await withTaskGroup(of: Result<String, any Error>.self) { group in
            for session in 0..<8 {
                group.addTask {
                    var placement = placement(key: "session-\(session):1")
                    placement.cart = claim
                    return Result { try book.place(placement).order.id }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let placed = outcomes.compactMap { try? $0.get() }
        #expect(placed.count == 1)
        let refusals = outcomes.compactMap { if case .failure(let error) = $0 { error as? OrderBook.Refusal } else { nil } }
        #expect(refusals == Array(repeating: .alreadyPlaced(orderId: placed[0]), count: 7))
        #expect(try book.all().count == 1 && stock(database, "latte") == 2)
        // The order consumed the cart: empty, at the next version.
        let stored = try #require(try SessionLog(database: database).cart(conversationId: claim.conversationId))
        #expect(stored.json == nil && stored.version == claim.version + 1)
    }

    @Test func aCartChangedSinceTheReadBackOrARevokedDeviceOrCustomerPlacesNothing() throws {
        let database = try Self.database()
        let book = OrderBook(database: database)
        let claim = try conversationWithALatte(database)
        let log = SessionLog(database: database)
        _ = try #require(try log.saveCart(conversationId: claim.conversationId, json: "[]", replacing: claim.version))
        var stale = placement(key: "k1")
        stale.cart = claim
        #expect(throws: OrderBook.Refusal.cartChanged) { try book.place(stale) }

        let devices = DeviceRegistry(database: database)
        let customers = CustomerBook(database: database)
        try customers.add(.init(id: "c1", name: "Cee"))
        let device = try devices.register(name: "speaker", customerId: "c1").device
        try devices.revoke(deviceId: device.id)
        #expect(throws: OrderBook.Refusal.revoked) { try book.place(placement(key: "k2", device: device.id)) }
        try customers.revoke(customerId: "c1")
        #expect(throws: OrderBook.Refusal.revoked) { try book.place(placement(key: "k3")) }
        #expect(try book.all().isEmpty && stock(database, "latte") == 3)
    }

    @Test func theRecheckSeesOrdersWrittenByOtherSessionsAndRefusesWithoutWriting() throws {
        let database = try Self.database()
        let book = OrderBook(database: database)
        _ = try book.place(placement(key: "first", lattes: 1))
        struct TooMuch: Error {}
        var second = placement(key: "second", lattes: 1)
        second.recheck = .init(recentSince: Date().addingTimeInterval(-600)) { facts in
            // The first order is seen: spent and recent, with the same cart signature.
            if facts.spentTodayMinorUnits == 425, facts.recentOrders.count == 1 { throw TooMuch() }
        }
        #expect(throws: TooMuch.self) { try book.place(second) }
        #expect(try book.all().count == 1 && stock(database, "latte") == 2)
    }
}

struct CustomerBookTests {
    @Test func thePINIsStoredHashedAndLocksAfterThreeWrongTries() throws {
        let database = try AppDatabase.inMemory()
        let book = CustomerBook(database: database)
        let customer = try book.add(.init(name: "Ann", pin: "4711", paymentMethod: (token: "pm_card_visa", label: "Visa ending 4242")))
        let stored = try database.writer.read { db in try String.fetchAll(db, sql: "SELECT quote(pinHash) || quote(pinSalt) FROM customer") }
        #expect(!stored.joined().contains("4711"))
        let now = Date()
        #expect(try book.checkPIN(customerId: customer.id, pin: "0000", at: now) == .wrong(attemptsLeft: 2))
        #expect(try book.checkPIN(customerId: customer.id, pin: "4711", at: now) == .correct, "a right PIN resets the count")
        #expect(try book.checkPIN(customerId: customer.id, pin: "0000", at: now) == .wrong(attemptsLeft: 2))
        #expect(try book.checkPIN(customerId: customer.id, pin: "0001", at: now) == .wrong(attemptsLeft: 1))
        guard case .locked = try book.checkPIN(customerId: customer.id, pin: "0002", at: now) else {
            Issue.record("the third wrong PIN should lock")
            return
        }
        guard case .locked = try book.checkPIN(customerId: customer.id, pin: "4711", at: now.addingTimeInterval(60)) else {
            Issue.record("while locked even the right PIN is refused")
            return
        }
        #expect(try book.checkPIN(customerId: customer.id, pin: "4711", at: now.addingTimeInterval(16 * 60)) == .correct)
        #expect(try book.defaultPaymentMethod(customerId: customer.id)?.token == "pm_card_visa")
    }

    @Test func badInputIsRefused() throws {
        let book = CustomerBook(database: try AppDatabase.inMemory())
        #expect(throws: CustomerBook.Invalid.self) { try book.add(.init(name: "Bo", pin: "12a4")) }
        #expect(throws: CustomerBook.Invalid.self) { try book.add(.init(name: "Bo", pin: "12345")) }
        #expect(throws: CustomerBook.Invalid.self) { try book.add(.init(name: "  ")) }
        try book.add(.init(id: "bo", name: "Bo"))
        #expect(throws: CustomerBook.Invalid.self) { try book.add(.init(id: "bo", name: "Bo again")) }
        #expect(try book.all().count == 1)
        #expect(try book.checkPIN(customerId: "bo", pin: "1234") == .notSet)
    }

}
