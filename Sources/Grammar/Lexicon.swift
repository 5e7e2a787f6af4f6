import Foundation

/// Pronunciations the speech decoder knows: the PocketSphinx dictionary plus a grammar's own
/// `grammars/*.dict` files (same format: `word PH O N E S`, alternates as `word(2) …`).
public struct Lexicon: Sendable {
    public static let defaultDictionary = URL(fileURLWithPath: "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict")

    /// Word → its pronunciation lines (the whole `word(2) …` line for alternates).
    private var entries: [String: [String]] = [:]

    public init() {}

    public init(dictionaries: [URL]) throws(GrammarError) {
        for url in dictionaries { try add(contentsOf: url) }
    }

    public mutating func add(contentsOf url: URL) throws(GrammarError) {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw .unreadableFile("cannot read pronunciation dictionary \(url.path): \(error.localizedDescription)")
        }
        for line in text.split(separator: "\n") where !line.hasPrefix(";") && !line.hasPrefix("#") {
            guard let space = line.firstIndex(where: { $0 == " " || $0 == "\t" }) else { continue }
            var word = line[..<space].lowercased()
            if word.hasSuffix(")"), let open = word.lastIndex(of: "(") { word = String(word[..<open]) }
            let phones = line[space...].trimmingCharacters(in: .whitespaces)
            guard !phones.isEmpty else { continue }
            entries[word, default: []].append(phones)
        }
    }

    public func contains(_ word: String) -> Bool { entries[word] != nil }

    /// Every word of the grammar the dictionary lacks, each with where it was written.
    public func unknownWords(in grammar: IntentGrammar) -> [GrammarError] {
        grammar.vocabulary().filter { !contains($0.word) }.map { word, location in
            .unknownWord(location, "'\(word)' is not in the pronunciation dictionary; add it to a .dict file next to the grammar")
        }
    }

    /// The pronunciations of `words`, alternates named as PocketSphinx names them (`word(2)`).
    public func pronunciations(for words: [String]) -> [(word: String, phones: String)] {
        words.sorted().flatMap { word in
            (entries[word] ?? []).enumerated().map { index, phones in (index == 0 ? word : "\(word)(\(index + 1))", phones) }
        }
    }

    /// A dictionary cut to `words`: a decoder loads it in milliseconds instead of the full one.
    public func subset(for words: [String]) -> String {
        pronunciations(for: words).map { "\($0.word) \($0.phones)" }.joined(separator: "\n") + "\n"
    }

    /// The PocketSphinx dictionary plus every `.dict` file in the grammar directory.
    public static func standard(grammarDirectory: URL, dictionary: URL = defaultDictionary) throws(GrammarError) -> Lexicon {
        let extra = ((try? FileManager.default.contentsOfDirectory(atPath: grammarDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".dict") }.sorted().map { grammarDirectory.appendingPathComponent($0) }
        return try Lexicon(dictionaries: [dictionary] + extra)
    }
}
