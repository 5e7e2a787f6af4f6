import ArgumentParser
import Benchmarks

extension Fold {
    /// --fold K/N, or a message saying what it takes.
    static func parse(_ text: String) throws -> Fold {
        guard let fold = Fold(parsing: text) else { throw ValidationError("--fold takes K/N with 1 ≤ K ≤ N and N ≥ 2, e.g. 1/2; got '\(text)'") }
        return fold
    }
}
