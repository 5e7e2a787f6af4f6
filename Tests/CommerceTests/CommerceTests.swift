import Commerce
import Testing

struct CommerceTests {
    let catalog = try! Catalog(currency: "USD", products: [
        Product(id: "latte", name: "latte", price: Money(minorUnits: 425, currency: "USD"), stock: 3),
        Product(id: "mocha", name: "mocha", price: Money(minorUnits: 450, currency: "USD"), stock: 10),
    ])

    @Test func moneyIsIntegerAndCurrencyChecked() throws {
        let total = try Money(minorUnits: 425, currency: "USD").adding(Money(minorUnits: 450, currency: "USD"))
        #expect(total == Money(minorUnits: 875, currency: "USD"))
        #expect(total.description == "USD 8.75")
        #expect(Money(minorUnits: 5, currency: "EUR").description == "EUR 0.05")
        #expect(throws: Money.CurrencyMismatch.self) { try total.adding(Money(minorUnits: 1, currency: "EUR")) }
    }

    @Test func cartPricesLinesAndMergesSameOptions() throws {
        var cart = Cart(currency: "USD")
        try cart.add("latte", options: ["size": "large"], from: catalog)
        try cart.add("latte", options: ["size": "large"], from: catalog)
        try cart.add("latte", options: ["size": "small"], from: catalog)
        try cart.add("mocha", quantity: 2, from: catalog)
        #expect(cart.lines.count == 3)
        #expect(cart.lines[0].quantity == 2)
        #expect(cart.total == Money(minorUnits: 3 * 425 + 2 * 450, currency: "USD"))
        try cart.removeLast(productId: "latte")
        #expect(cart.lines.map(\.productId) == ["latte", "mocha"])
    }

    @Test func badCartRequestsAreTypedAndChangeNothing() throws {
        var cart = Cart(currency: "USD")
        try cart.add("latte", quantity: 3, from: catalog)
        let before = cart
        #expect(throws: CommerceError.outOfStock(productId: "latte", available: 3)) { try cart.add("latte", from: catalog) }
        #expect(throws: CommerceError.unknownProduct("tea")) { try cart.add("tea", from: catalog) }
        #expect(throws: CommerceError.invalidQuantity(0)) { try cart.add("mocha", quantity: 0, from: catalog) }
        #expect(throws: CommerceError.notInCart("mocha")) { try cart.removeLast(productId: "mocha") }
        #expect(cart == before)
        var empty = Cart(currency: "USD")
        #expect(throws: CommerceError.emptyCart) { try empty.removeLast() }
        var euros = Cart(currency: "EUR")
        #expect(throws: CommerceError.currencyMismatch("EUR", "USD")) { try euros.add("latte", from: catalog) }
    }

    @Test func stockReservationIsAllOrNothing() throws {
        var stocked = catalog
        try stocked.reserve("latte", quantity: 2)
        #expect(stocked.product("latte")?.stock == 1)
        #expect(throws: CommerceError.outOfStock(productId: "latte", available: 1)) { try stocked.reserve("latte", quantity: 2) }
        #expect(stocked.product("latte")?.stock == 1)
        stocked.release("latte", quantity: 2)
        #expect(stocked.product("latte")?.stock == 3)
    }

    @Test func catalogRefusesMixedCurrenciesAndDuplicates() {
        #expect(throws: Catalog.Invalid.self) {
            try Catalog(currency: "USD", products: [Product(id: "a", name: "a", price: Money(minorUnits: 1, currency: "EUR"), stock: 1)])
        }
        #expect(throws: Catalog.Invalid.self) {
            let product = Product(id: "a", name: "a", price: Money(minorUnits: 1, currency: "USD"), stock: 1)
            try Catalog(currency: "USD", products: [product, product])
        }
    }

    @Test func orderLifecycleAllowsOnlyLegalMoves() throws {
        var status = OrderStatus.pendingConfirmation
        for next in [OrderStatus.placed, .paid, .preparing, .outForDelivery, .delivered, .refunded] {
            status = try status.transition(to: next)
        }
        #expect(status.isFinal)
        #expect(throws: CommerceError.illegalTransition(from: .pendingConfirmation, to: .paid)) {
            try OrderStatus.pendingConfirmation.transition(to: .paid)
        }
        #expect(throws: CommerceError.illegalTransition(from: .delivered, to: .cancelled)) {
            try OrderStatus.delivered.transition(to: .cancelled)
        }
        // Every status can reach a final one.
        for start in OrderStatus.allCases {
            var frontier: Set<OrderStatus> = [start], seen: Set<OrderStatus> = []
            while let next = frontier.popFirst() {
                if seen.insert(next).inserted { frontier.formUnion(next.allowedNext) }
            }
            #expect(seen.contains { $0.isFinal }, "\(start)")
        }
    }
}
