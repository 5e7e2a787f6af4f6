import Foundation

/// Reads grammar files (YAML, see docs/grammar.md) with their includes and catalog lists.
public struct GrammarLoader: Sendable {
    /// Where `include: [common]` and `load("coffee")` look: usually `grammars/`.
    public var directory: URL
    /// Where `catalog: <name>` lists find `<name>.yaml`: usually `catalogs/`.
    public var catalogDirectory: URL?

    public init(directory: URL, catalogDirectory: URL? = nil) {
        self.directory = directory
        self.catalogDirectory = catalogDirectory
    }

    /// Loads `name` (a grammar name such as "coffee", or a path to a .yaml file).
    public func load(_ name: String) throws(GrammarError) -> IntentGrammar {
        var visited: Set<String> = []
        var grammar = try loadFile(url(for: name), visited: &visited)
        grammar.name = URL(fileURLWithPath: name).deletingPathExtension().lastPathComponent
        try grammar.validateReferences()
        try grammar.pairCatalogLists()
        return grammar
    }

    func url(for name: String) -> URL {
        if name.hasSuffix(".yaml") || name.contains("/") { return URL(fileURLWithPath: name) }
        return directory.appendingPathComponent("\(name).yaml")
    }

    private func loadFile(_ url: URL, visited: inout Set<String>) throws(GrammarError) -> IntentGrammar {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadableFile("cannot read grammar \(url.path): \(error.localizedDescription)")
        }
        visited.insert(url.standardizedFileURL.path)
        let file = Self.displayPath(url)
        let root = try YAMLNode.parse(text, file: file)
        try root.checkKeys("a grammar file", allowed: ["language", "include", "intents", "lists", "expansion_rules"])

        var grammar = IntentGrammar(name: url.deletingPathExtension().lastPathComponent, intents: [], lists: [:], rules: [:])
        for (name, keyNode, value) in try root["expansion_rules"]?.mapping("expansion_rules") ?? [] {
            _ = keyNode
            grammar.rules[name] = try TemplateParser.parse(try value.string("rule <\(name)>"), at: value.textLocation)
        }
        for (name, keyNode, value) in try root["lists"]?.mapping("lists") ?? [] {
            grammar.lists[name] = try loadList(name, value, location: keyNode.location)
        }
        for (name, keyNode, value) in try root["intents"]?.mapping("intents") ?? [] {
            grammar.intents.append(try loadIntent(name, value, location: keyNode.location))
        }

        for include in try root["include"]?.sequence("include") ?? [] {
            let includedURL = url.deletingLastPathComponent().appendingPathComponent("\(try include.string("include")).yaml")
            guard !visited.contains(includedURL.standardizedFileURL.path) else { continue }
            let included = try loadFile(includedURL, visited: &visited)
            try merge(included, into: &grammar, at: include.location)
        }
        return grammar
    }

    private func merge(_ included: IntentGrammar, into grammar: inout IntentGrammar, at location: SourceLocation) throws(GrammarError) {
        for intent in included.intents {
            if let existing = grammar.intents.first(where: { $0.name == intent.name }) {
                throw .duplicateIntent(
                    existing.location, "intent '\(intent.name)' is also defined in \(intent.location.file) (included at \(location))")
            }
            grammar.intents.append(intent)
        }
        for (name, list) in included.lists {
            if let existing = grammar.lists[name] {
                throw .duplicateKey(existing.location, "list '\(name)' is also defined in \(list.location.file)")
            }
            grammar.lists[name] = list
        }
        for (name, rule) in included.rules {
            guard grammar.rules[name] == nil else {
                throw .duplicateKey(location, "expansion rule '\(name)' is defined here and in \(included.name).yaml")
            }
            grammar.rules[name] = rule
        }
    }

    private func loadIntent(_ name: String, _ node: YAMLNode, location: SourceLocation) throws(GrammarError) -> IntentDefinition {
        try node.checkKeys("intent '\(name)'", allowed: ["sentences", "states", "slots"])
        guard let sentenceNodes = node["sentences"] else {
            throw .invalidStructure(location, "intent '\(name)' has no sentences")
        }
        let sentences = try sentenceNodes.sequence("sentences").map { sentence throws(GrammarError) in
            try TemplateParser.parse(try sentence.string("a sentence"), at: sentence.textLocation)
        }
        let states = try node["states"]?.sequence("states").map { node throws(GrammarError) in
            let name = try node.string("a state")
            guard let state = DialogState(rawValue: name) else {
                let known = DialogState.allCases.map(\.rawValue).joined(separator: ", ")
                throw GrammarError.unknownState(node.location, "'\(name)' is not a dialog state; one of \(known)")
            }
            return state
        }
        var fixedSlots: [String: String] = [:]
        for (slot, _, value) in try node["slots"]?.mapping("slots") ?? [] {
            fixedSlots[slot] = try value.string("slot '\(slot)'")
        }
        return IntentDefinition(
            name: name, sentences: sentences, states: Set(states ?? [IntentGrammar.defaultState]),
            fixedSlots: fixedSlots, location: location)
    }

    private func loadList(_ name: String, _ node: YAMLNode, location: SourceLocation) throws(GrammarError) -> SlotList {
        try node.checkKeys("list '\(name)'", allowed: ["values", "range", "catalog", "category", "unit", "soldIn"])
        var values: [ListValue] = []
        if let valueNodes = node["values"] {
            for value in try valueNodes.sequence("values") {
                if value.node.scalar != nil {
                    values.append(try ListValue(phrase: try value.string("a value"), location: value.textLocation))
                } else {
                    try value.checkKeys("a list value", allowed: ["in", "out"])
                    guard let spoken = value["in"], let canonical = value["out"] else {
                        throw .invalidStructure(value.location, "a list value needs both 'in' (what is said) and 'out' (its value)")
                    }
                    values.append(try ListValue(
                        phrase: try spoken.string("in"), value: try canonical.string("out"), location: spoken.textLocation))
                }
            }
        }
        if let range = node["range"] {
            let from = try range["from"]?.int("from") ?? 0
            guard let to = try range["to"]?.int("to"), from <= to, from >= 0, to <= 999 else {
                throw .invalidStructure(range.location, "a range needs 'from' ≤ 'to' within 0…999")
            }
            for number in from...to {
                values.append(try ListValue(phrase: NumberWords.spell(number), value: String(number), location: range.location))
            }
        }
        if let catalog = node["catalog"] {
            values += try catalogValues(
                try catalog.string("catalog"), category: try node["category"]?.string("category"), unit: try node["unit"]?.string("unit"),
                at: catalog.location)
        }
        guard !values.isEmpty else {
            throw .invalidStructure(location, "list '\(name)' has no values (give values, range or catalog)")
        }
        let soldIn = try node["soldIn"]?.string("soldIn")
        if soldIn != nil && node["catalog"] == nil {
            throw .invalidStructure(location, "list '\(name)': soldIn pairs a catalog list with a unit; give it a catalog")
        }
        return SlotList(name: name, values: values, location: location, soldIn: soldIn)
    }

    private func catalogValues(_ catalog: String, category: String?, unit: String?, at location: SourceLocation) throws(GrammarError) -> [ListValue] {
        guard let catalogDirectory else {
            throw .missingCatalog(location, "list needs catalog '\(catalog)' but no catalog directory was given")
        }
        let url = catalogDirectory.appendingPathComponent("\(catalog).yaml")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw .missingCatalog(location, "catalog '\(catalog)' not found at \(url.path)")
        }
        let vocabulary = try CatalogVocabulary(contentsOf: url)
        var values: [ListValue] = []
        for product in vocabulary.products where (category == nil || product.category == category) && (unit == nil || product.units.contains(unit!)) {
            for phrase in product.phrases {
                values.append(try ListValue(phrase: phrase, value: product.id, soldIn: Set(product.units), location: product.location))
            }
        }
        return values
    }

    /// The path as the user would type it: relative to the working directory when inside it.
    static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let base = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}
