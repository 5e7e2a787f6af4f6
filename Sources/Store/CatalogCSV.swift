import Commerce

/// Reads products from CSV (RFC 4180 quoting): a header row naming the columns `id`, `name`,
/// `price` (in units, e.g. 4.25), `stock`, and optionally `currency` (default USD),
/// `category` and `requires` (option names separated by `|`).
public enum CatalogCSV {
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    public static func parse(_ text: String) throws(Invalid) -> [Product] {
        let rows = try records(text)
        guard let header = rows.first?.map({ $0.lowercased().trimmingCharacters(in: .whitespaces) }) else {
            throw Invalid(line: 1, message: "the file is empty")
        }
        for column in ["id", "name", "price", "stock"] where !header.contains(column) {
            throw Invalid(line: 1, message: "missing column '\(column)'")
        }
        var products: [Product] = []
        for (index, row) in rows.dropFirst().enumerated() where !(row.count == 1 && row[0].isEmpty) {
            let line = index + 2
            guard row.count == header.count else { throw Invalid(line: line, message: "\(row.count) fields, the header has \(header.count)") }
            var field: [String: String] = [:]
            for (name, value) in zip(header, row) { field[name] = value.trimmingCharacters(in: .whitespaces) }
            guard let id = field["id"], !id.isEmpty else { throw Invalid(line: line, message: "empty id") }
            guard let minor = minorUnits(field["price"] ?? "") else {
                throw Invalid(line: line, message: "price '\(field["price"] ?? "")' is not an amount like 4.25")
            }
            guard let stock = Int(field["stock"] ?? ""), stock >= 0 else {
                throw Invalid(line: line, message: "stock '\(field["stock"] ?? "")' is not a whole number ≥ 0")
            }
            let currency = field["currency"].flatMap { $0.isEmpty ? nil : $0.uppercased() } ?? "USD"
            let requires = (field["requires"] ?? "").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            products.append(Product(
                id: id, name: field["name"].flatMap { $0.isEmpty ? nil : $0 } ?? id, price: Money(minorUnits: minor, currency: currency),
                stock: stock, category: field["category"].flatMap { $0.isEmpty ? nil : $0 }, requiredOptions: requires))
        }
        return products
    }

    /// "4.25" → 425, "4" → 400, "0.5" → 50; no floating point on the way.
    static func minorUnits(_ text: String) -> Int? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let units = Int(parts[0]), units >= 0 else { return nil }
        guard parts.count == 2 else { return units * 100 }
        let fraction = parts[1]
        guard (1...2).contains(fraction.count), fraction.allSatisfy(\.isNumber), let cents = Int(fraction) else { return nil }
        return units * 100 + (fraction.count == 1 ? cents * 10 : cents)
    }

    /// Splits CSV text into rows of fields, honouring double-quoted fields.
    static func records(_ text: String) throws(Invalid) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var characters = Array(text).makeIterator()
        var pending: Character?
        while let character = pending ?? characters.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    let next = characters.next()
                    if next == "\"" {
                        field.append("\"")
                    } else {
                        quoted = false
                        pending = next
                    }
                } else {
                    if character == "\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); field = ""
                rows.append(row); row = []
                line += 1
            case "\r": continue
            default: field.append(character)
            }
        }
        if quoted { throw Invalid(line: line, message: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
