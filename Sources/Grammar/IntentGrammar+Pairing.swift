/// Catalog lists paired with a unit said before them: "a liter of {product}" offers only the
/// products sold by the liter. A list marked `soldIn: unit` is split, where a sequence says
/// `{…:unit} … {that list}`, into one alternative per unit value, each with the products sold
/// in that unit (`units:` in the catalog). A grammar that offers "a liter of tomatoes" gives
/// near-miss speech a sentence to land on (docs/recognition.md).
extension IntentGrammar {
    mutating func pairCatalogLists() throws(GrammarError) {
        guard lists.values.contains(where: { $0.soldIn != nil }) else { return }
        for name in rules.keys.sorted() { rules[name] = try paired(rules[name]!) }
        for index in intents.indices {
            intents[index].sentences = try intents[index].sentences.map { sentence throws(GrammarError) in try paired(sentence) }
        }
    }

    private mutating func paired(_ expression: Expression) throws(GrammarError) -> Expression {
        switch expression {
        case .sequence(let items):
            var pairedItems: [Expression] = []
            for item in items { pairedItems.append(try paired(item)) }
            return try splitByUnit(pairedItems)
        case .alternatives(let items):
            var pairedItems: [Expression] = []
            for item in items { pairedItems.append(try paired(item)) }
            return .alternatives(pairedItems)
        case .optional(let inner):
            return .optional(try paired(inner))
        case .word, .list, .rule:
            return expression
        }
    }

    /// A sequence holding a paired list, as one alternative per unit value.
    private mutating func splitByUnit(_ items: [Expression]) throws(GrammarError) -> Expression {
        guard let productIndex = items.firstIndex(where: { pairedList(in: $0) != nil }),
            case .list(let productListName, let productSlot, let productLocation) = items[productIndex],
            let productList = lists[productListName], let unitSlot = productList.soldIn
        else { return .sequence(items) }
        guard let unitIndex = items[..<productIndex].lastIndex(where: { if case .list(_, unitSlot, _) = $0 { true } else { false } }),
            case .list(let unitListName, _, let unitLocation) = items[unitIndex], let unitList = lists[unitListName]
        else {
            throw .invalidStructure(
                productLocation, "list '\(productListName)' is sold in the '\(unitSlot)' slot said before it, but no {…:\(unitSlot)} comes before it here")
        }
        var alternatives: [Expression] = []
        for (index, unit) in unitList.values.enumerated() {
            guard let code = unit.value else {
                throw .invalidStructure(unitList.location, "list '\(unitListName)' pairs with '\(productListName)': every value needs an 'out' unit")
            }
            let products = productList.values.filter { $0.soldIn.contains(code) }
            guard !products.isEmpty else { continue }
            let oneUnit = "\(unitListName)__\(index)", productsInUnit = "\(productListName)__\(code)"
            lists[oneUnit] = SlotList(name: oneUnit, values: [unit], location: unitList.location)
            lists[productsInUnit] = SlotList(name: productsInUnit, values: products, location: productList.location)
            var alternative = items
            alternative[unitIndex] = .list(name: oneUnit, slot: unitSlot, unitLocation)
            alternative[productIndex] = .list(name: productsInUnit, slot: productSlot, productLocation)
            alternatives.append(.sequence(alternative))
        }
        guard !alternatives.isEmpty else {
            throw .invalidStructure(productLocation, "no product of list '\(productListName)' is sold in any unit of list '\(unitListName)'")
        }
        return alternatives.count == 1 ? alternatives[0] : .alternatives(alternatives)
    }

    private func pairedList(in expression: Expression) -> SlotList? {
        guard case .list(let name, _, _) = expression, let list = lists[name], list.soldIn != nil else { return nil }
        return list
    }
}
