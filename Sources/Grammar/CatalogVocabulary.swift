import Foundation

/// The spoken names of a shop's products, read from its catalog file (`catalogs/<shop>.yaml`),
/// so that grammar lists can be filled at load time and a new product needs no grammar edit.
///
/// Only the fields the grammar needs are read here: `id`, `name`, `say`, `category`, `unit`
/// and `units`.
public struct CatalogVocabulary: Sendable {
    public struct Product: Sendable, Equatable {
        public var id: String
        /// Phrases customers may use; the first is the product's name.
        public var phrases: [String]
        public var category: String?
        /// What the product is sold by (`piece`, `kg`, `liter`, …): "three apples" but "three
        /// liters of milk".
        public var unit: String?
        /// Every unit customers may ask for it by ("a kilo of apples", "a bottle of milk");
        /// `units:` in the catalog, else just `unit`.
        public var units: [String]
        public var location: SourceLocation
    }

    public var products: [Product]

    public init(products: [Product]) { self.products = products }

    public init(contentsOf url: URL) throws(GrammarError) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadableFile("cannot read catalog \(url.path): \(error.localizedDescription)")
        }
        let root = try YAMLNode.parse(text, file: GrammarLoader.displayPath(url))
        guard let productNodes = root["products"] else {
            throw .invalidStructure(root.location, "a catalog needs a 'products' list")
        }
        var products: [Product] = []
        for node in try productNodes.sequence("products") {
            guard let idNode = node["id"] else { throw .invalidStructure(node.location, "a product needs an 'id'") }
            let id = try idNode.string("id")
            var phrases = [try node["name"]?.string("name") ?? id]
            for phrase in try node["say"]?.sequence("say") ?? [] {
                let text = try phrase.string("say")
                if !phrases.contains(text) { phrases.append(text) }
            }
            let unit = try node["unit"]?.string("unit")
            var units = try node["units"]?.sequence("units").map { node throws(GrammarError) in try node.string("a unit") } ?? []
            if units.isEmpty, let unit { units = [unit] }
            products.append(Product(
                id: id, phrases: phrases, category: try node["category"]?.string("category"), unit: unit, units: units, location: node.location))
        }
        self.products = products
    }
}
