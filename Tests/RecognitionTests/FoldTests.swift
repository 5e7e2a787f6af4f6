import Benchmarks
import Testing

/// Cross-validation parts: every recording in exactly one, the same on every run.
struct FoldTests {
    @Test func foldsParseAsKOverN() {
        #expect(Fold(parsing: "2/3") == Fold(index: 2, count: 3))
        for bad in ["0/2", "3/2", "1/1", "x", "1/", "1/2/3"] { #expect(Fold(parsing: bad) == nil, "\(bad)") }
    }

    @Test func everyRecordingIsInExactlyOnePart() {
        let names = (0..<200).map { "clip-\($0).opus" }
        for count in 2...4 {
            let parts = (1...count).map { Fold(index: $0, count: count) }
            #expect(names.allSatisfy { name in parts.filter { $0.contains(name) }.count == 1 })
            #expect(parts.allSatisfy { part in names.contains(where: part.contains) }, "no part is empty")
        }
    }

    @Test func thePartDependsOnlyOnTheName() {
        // FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c, an even number: the first of two parts, on any machine.
        #expect(Fold(index: 1, count: 2).contains("a"))
        #expect(!Fold(index: 2, count: 2).contains("a"))
    }
}
