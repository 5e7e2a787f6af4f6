import Commerce
import Foundation
import PostgresStore
import Store
import Testing

/// Customers and the catalog on both backends, the same tests.
struct CustomerDirectoryTests {
    @Test(arguments: Backend.available)
    func thePINIsStoredHashedAndLocksAfterThreeWrongTriesOnAnyNode(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let customer = try await nodeA.customers.add(
                .init(name: "Ann", pin: "4711", paymentMethod: (token: "pm_card_visa", label: "Visa ending 4242"), address: "1 Main St"))
            let stored = try #require(try await nodeB.customers.customer(customer.id))
            #expect(stored.pinHash?.count == 64 && stored.pinSalt != nil && !"\(stored)".contains("4711"))
            let now = Date()
            #expect(try await nodeA.customers.checkPIN(customerId: customer.id, pin: "0000", at: now) == .wrong(attemptsLeft: 2))
            #expect(try await nodeB.customers.checkPIN(customerId: customer.id, pin: "4711", at: now) == .correct, "a right PIN resets the count")
            #expect(try await nodeA.customers.checkPIN(customerId: customer.id, pin: "0000", at: now) == .wrong(attemptsLeft: 2))
            #expect(try await nodeB.customers.checkPIN(customerId: customer.id, pin: "0001", at: now) == .wrong(attemptsLeft: 1))
            guard case .locked = try await nodeA.customers.checkPIN(customerId: customer.id, pin: "0002", at: now) else {
                Issue.record("the third wrong PIN, on either node, should lock")
                return
            }
            guard case .locked = try await nodeB.customers.checkPIN(customerId: customer.id, pin: "4711", at: now.addingTimeInterval(60)) else {
                Issue.record("while locked even the right PIN is refused, on every node")
                return
            }
            #expect(try await nodeB.customers.checkPIN(customerId: customer.id, pin: "4711", at: now.addingTimeInterval(16 * 60)) == .correct)
            #expect(try await nodeB.customers.defaultPaymentMethod(customerId: customer.id)?.token == "pm_card_visa")
            let method = try #require(try await nodeB.customers.defaultPaymentMethod(customerId: customer.id))
            #expect(try await nodeA.customers.paymentMethod(method.id)?.label == "Visa ending 4242")
            #expect(try await nodeA.customers.defaultAddress(customerId: customer.id)?.text == "1 Main St")
        }
    }

    @Test(arguments: Backend.available)
    func wrongPINsSpokenOnTwoNodesAtOnceAllCount(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let customer = try await nodeA.customers.add(.init(name: "Ann", pin: "4711"))
            let now = Date()
            let checks = try await withThrowingTaskGroup(of: PINCheck.self) { group in
                for attempt in 0..<3 {
                    let node = attempt.isMultiple(of: 2) ? nodeA : nodeB
                    group.addTask { try await node.customers.checkPIN(customerId: customer.id, pin: "000\(attempt)", at: now) }
                }
                return try await group.reduce(into: [PINCheck]()) { $0.append($1) }
            }
            #expect(checks.filter { if case .locked = $0 { true } else { false } }.count == 1, "\(checks)")
        }
    }

    @Test(arguments: Backend.available)
    func badInputIsRefusedAndChangesNothing(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { node, _ throws in
            for bad in [NewCustomer(name: "Bo", pin: "12a4"), .init(name: "Bo", pin: "12345"), .init(name: "  "), .init(name: "Bo", phone: "555")] {
                await #expect(throws: InvalidCustomer.self) { try await node.customers.add(bad) }
            }
            try await node.customers.add(.init(id: "bo", name: "Bo", phone: "+15551234567"))
            await #expect(throws: InvalidCustomer.exists("bo")) { try await node.customers.add(.init(id: "bo", name: "Bo again")) }
            await #expect(throws: InvalidCustomer.phoneTaken("+15551234567")) {
                try await node.customers.add(.init(name: "Cy", phone: "+15551234567"))
            }
            #expect(try await node.customers.all().map(\.id) == ["bo"])
            #expect(try await node.customers.customer(phone: "+15551234567")?.id == "bo")
            #expect(try await node.customers.checkPIN(customerId: "bo", pin: "1234", at: Date()) == .notSet)
        }
    }

    @Test(arguments: Backend.available)
    func consentTheUsualAndRevocationAreSeenByEveryNode(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            try await nodeA.customers.add(.init(id: "ann", name: "Ann"))
            #expect(try await nodeA.customers.setAudioConsent(customerId: "ann", false))
            #expect(try await !nodeA.customers.setAudioConsent(customerId: "nobody", false))
            try await nodeA.customers.setUsual(customerId: "ann", linesJSON: "[]")
            let seen = try #require(try await nodeB.customers.customer("ann"))
            #expect(!seen.audioConsent && seen.usualLinesJSON == "[]" && seen.revokedAt == nil)

            let before = Date().addingTimeInterval(-1)
            let first = Date()
            #expect(try await nodeA.customers.revoke(customerId: "ann", at: first))
            #expect(try await nodeB.customers.revoke(customerId: "ann", at: first.addingTimeInterval(60)), "revoking twice is not an error")
            #expect(try await !nodeB.customers.revoke(customerId: "nobody", at: first))
            #expect(try await nodeB.customers.revoked(since: before) == ["ann"])
            #expect(try await nodeB.customers.revoked(since: first.addingTimeInterval(30)).isEmpty, "the first revocation's time is kept")
        }
    }

    @Test(arguments: Backend.available)
    func aCatalogImportAddsUpdatesAndRefusesAnotherCurrency(_ backend: Backend) async throws {
        try await ShopStores.withTwoNodes(backend) { nodeA, nodeB throws in
            let summary = try await nodeA.catalog.importProducts([
                Product(id: "latte", name: "latte", price: Money(minorUnits: 475, currency: "USD"), stock: 9, requiredOptions: ["size"]),
                Product(id: "tea", name: "tea", price: Money(minorUnits: 300, currency: "USD"), stock: 5, category: "drinks"),
            ])
            #expect(summary == CatalogImportSummary(added: 1, updated: 1))
            let catalog = try await nodeB.catalog.catalog()
            #expect(catalog.product("latte")?.price.minorUnits == 475 && catalog.product("latte")?.requiredOptions == ["size"])
            #expect(catalog.product("tea")?.category == "drinks" && catalog.product("mocha")?.stock == 10)
            await #expect(throws: InvalidCatalog.self) {
                try await nodeB.catalog.importProducts([Product(id: "chai", name: "chai", price: Money(minorUnits: 300, currency: "EUR"), stock: 1)])
            }
            try await nodeB.catalog.seedIfEmpty(with: ShopStores.testCatalog)
            #expect(try await nodeA.catalog.catalog().product("latte")?.stock == 9, "seeding leaves a catalog that has products alone")
        }
    }
}
