import Yams

/// Typed access to a YAML node with positioned errors, for the grammar and catalog loaders.
struct YAMLNode {
    let node: Node
    let file: String

    var location: SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 0, column: node.mark?.column ?? 0)
    }

    /// Where the text of a scalar starts (after its opening quote, if any).
    var textLocation: SourceLocation {
        switch node.scalar?.style {
        case .singleQuoted?, .doubleQuoted?: location.advanced(by: 1)
        default: location
        }
    }

    static func parse(_ text: String, file: String) throws(GrammarError) -> YAMLNode {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw GrammarError.invalidStructure(SourceLocation(file: file, line: 1, column: 1), "the file is empty")
            }
            return YAMLNode(node: node, file: file)
        } catch let error as GrammarError {
            throw error
        } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
            let name = duplicates.first ?? ""
            let at = secondOccurrence(ofKey: name, in: text)
                ?? (context.mark.line, context.mark.column)
            throw .duplicateKey(SourceLocation(file: file, line: at.line, column: at.column), "'\(name)' appears twice in one mapping")
        } catch YamlError.scanner(_, let problem, let mark, _), YamlError.parser(_, let problem, let mark, _),
            YamlError.composer(_, let problem, let mark, _)
        {
            throw .yamlSyntax(SourceLocation(file: file, line: mark.line, column: mark.column), problem)
        } catch {
            throw .yamlSyntax(SourceLocation(file: file, line: 1, column: 1), "\(error)")
        }
    }

    /// Where a key is written the second time (the YAML parser reports only the mapping).
    private static func secondOccurrence(ofKey key: String, in text: String) -> (line: Int, column: Int)? {
        var seen = 0
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " }
            guard trimmed.hasPrefix("\(key):") else { continue }
            seen += 1
            if seen == 2 { return (number + 1, line.count - trimmed.count + 1) }
        }
        return nil
    }

    func string(_ what: String) throws(GrammarError) -> String {
        guard let scalar = node.scalar else { throw .invalidStructure(location, "\(what) must be a string") }
        return scalar.string
    }

    func int(_ what: String) throws(GrammarError) -> Int {
        guard let value = Int(try string(what)) else { throw .invalidStructure(location, "\(what) must be a whole number") }
        return value
    }

    func sequence(_ what: String) throws(GrammarError) -> [YAMLNode] {
        guard let sequence = node.sequence else { throw .invalidStructure(location, "\(what) must be a list") }
        return sequence.map { YAMLNode(node: $0, file: file) }
    }

    /// A mapping's entries in file order, refusing duplicate keys (YAML parsers differ on them).
    func mapping(_ what: String) throws(GrammarError) -> [(key: String, keyNode: YAMLNode, value: YAMLNode)] {
        guard let mapping = node.mapping else { throw .invalidStructure(location, "\(what) must be a mapping") }
        var seen: Set<String> = []
        var entries: [(key: String, keyNode: YAMLNode, value: YAMLNode)] = []
        for (key, value) in mapping {
            let keyNode = YAMLNode(node: key, file: file)
            let name = try keyNode.string("a key in \(what)")
            guard seen.insert(name).inserted else {
                throw .duplicateKey(keyNode.location, "'\(name)' appears twice in \(what)")
            }
            entries.append((name, keyNode, YAMLNode(node: value, file: file)))
        }
        return entries
    }

    /// Refuses keys this format does not know, so a typo is reported rather than ignored.
    func checkKeys(_ what: String, allowed: Set<String>) throws(GrammarError) {
        for entry in try mapping(what) where !allowed.contains(entry.key) {
            throw .invalidStructure(
                entry.keyNode.location, "unknown key '\(entry.key)' in \(what); expected \(allowed.sorted().joined(separator: ", "))")
        }
    }

    subscript(key: String) -> YAMLNode? {
        guard let mapping = node.mapping, let value = mapping[Node(key)] else { return nil }
        return YAMLNode(node: value, file: file)
    }
}
