import PostgresNIO

/// A PostgreSQL failure said plainly. PostgresNIO's own description is deliberately generic
/// (it could carry a query's values); this keeps what an operator needs and no values: the
/// server's SQLSTATE and message, or why the connection failed.
public struct PostgresProblem: Error, CustomStringConvertible {
    public let description: String

    public init(_ what: String, _ error: any Error) {
        guard let error = error as? PSQLError else {
            description = "\(what): \(error)"
            return
        }
        if let info = error.serverInfo, let message = info[.message] {
            description = "\(what): \(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        } else if let underlying = error.underlying {
            description = "\(what): \(underlying)"
        } else {
            description = "\(what): \(error.code)"
        }
    }
}
