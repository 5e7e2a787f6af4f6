/// Work over many recordings, a few at a time: enough to keep the cores (or the decoder pool)
/// busy without starting every task at once.
enum BoundedConcurrency {
    /// `work(0) … work(count - 1)`, at most `width` running at once, with progress on standard
    /// error; the results in index order.
    static func map<T: Sendable>(
        _ count: Int, width: Int, progressLabel: String, _ work: @escaping @Sendable (Int) async throws -> T
    ) async throws -> [T] {
        var results = [T?](repeating: nil, count: count)
        try await withThrowingTaskGroup(of: (Int, T).self) { group in
            var next = 0, done = 0
            func submit() {
                let index = next
                group.addTask { (index, try await work(index)) }
                next += 1
            }
            while next < min(count, max(1, width)) { submit() }
            for try await (index, result) in group {
                results[index] = result
                done += 1
                Progress.report(done, of: count, progressLabel)
                if next < count { submit() }
            }
        }
        return results.map { $0! }
    }
}
