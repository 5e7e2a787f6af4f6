import Logging
import PostgresNIO

extension PostgresQuery {
    /// `sql`, written by a store with its own condition (placeholders `$1`, `$2` …), bound to
    /// `values` in order: how the stores read rows by id, by hash, or all of them.
    static func selecting(_ sql: String, _ values: [any PostgresEncodable & Sendable] = []) throws -> PostgresQuery {
        var bindings = PostgresBindings()
        for value in values { try bindings.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }
}

extension PostgresConnection {
    /// Whether `query` returned any row: an `UPDATE … RETURNING` or `DELETE … RETURNING` that
    /// touched one, or a `SELECT 1 … LIMIT 1` that found one.
    func returnsRows(_ query: PostgresQuery, logger: Logger) async throws -> Bool {
        try await !self.query(query, logger: logger).collect().isEmpty
    }
}
