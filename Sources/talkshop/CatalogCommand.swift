import ArgumentParser
import Commerce
import Foundation
import Store

struct CatalogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog",
        abstract: "Import and list the shop's products, prices and stock.",
        subcommands: [Import.self, List.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or update products from a CSV, JSON or YAML file (matched by id).",
            discussion: """
                CSV: a header row with id,name,price,stock and optionally currency, category,
                requires (options separated by '|'); price in the currency's units, e.g. 4.25.
                JSON or YAML: the format of catalogs/coffee.yaml (prices in minor units).
                The whole file is checked first; a bad row changes nothing.
                """)
        @OptionGroup var data: DataOptions
        @Argument(help: "The file to import.") var file: String

        func run() async throws {
            let url = URL(fileURLWithPath: file)
            let products: [Product]
            switch url.pathExtension.lowercased() {
            case "csv":
                guard let text = try? String(contentsOf: url, encoding: .utf8) else { throw UsageError("cannot read \(file)") }
                products = try CatalogCSV.parse(text)
            case "json", "yaml", "yml":
                products = Array(try CatalogFile.load(url).products.values).sorted { $0.id < $1.id }
            default:
                throw UsageError("\(file): use a .csv, .json or .yaml file")
            }
            let summary = try await data.stores().catalog.importProducts(products)
            print("imported \(products.count) products: \(summary.added) added, \(summary.updated) updated")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List products with price and stock.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let catalog = try await data.stores().catalog.catalog()
            for product in catalog.products.values.sorted(by: { $0.id < $1.id }) {
                let requires = product.requiredOptions.isEmpty ? "" : "  requires \(product.requiredOptions.joined(separator: ", "))"
                print("\(product.id)  \(product.name)  \(product.price)  stock \(product.stock)\(requires)")
            }
        }
    }
}
