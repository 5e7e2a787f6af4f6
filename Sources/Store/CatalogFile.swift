import Commerce
import Foundation
import Yams

/// Reads a shop catalog (`catalogs/<shop>.yaml`, format in the file's own comments) into a
/// `Catalog`. Prices are integer minor units of the catalog's currency. `defaults` gives the
/// required options and surcharges of products that do not set their own.
public enum CatalogFile {
    private struct File: Decodable {
        var currency: String
        var defaults: Options?
        var products: [Entry]
    }

    private struct Options: Decodable {
        var requires: [String]?
        var surcharges: [String: [String: Int]]?
    }

    private struct Entry: Decodable {
        var id: String
        var name: String?
        var price: Int
        var stock: Int?
        var category: String?
        var requires: [String]?
        var surcharges: [String: [String: Int]]?
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static func load(_ url: URL) throws -> Catalog {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw Invalid(description: "cannot read catalog \(url.path): \(error.localizedDescription)")
        }
        let file: File
        do { file = try YAMLDecoder().decode(File.self, from: text) } catch {
            throw Invalid(description: "\(url.path): \(error)")
        }
        return try Catalog(currency: file.currency, products: file.products.map { entry in
            Product(
                id: entry.id, name: entry.name ?? entry.id, price: Money(minorUnits: entry.price, currency: file.currency),
                stock: entry.stock ?? 0, category: entry.category,
                requiredOptions: entry.requires ?? file.defaults?.requires ?? [],
                surcharges: entry.surcharges ?? file.defaults?.surcharges ?? [:])
        })
    }
}
