import PostgresNIO

/// A PostgreSQL failure said plainly. PostgresNIO's own description is deliberately generic
/// (it could carry a query's values); this keeps what an operator needs and no values: the
/// server's SQLSTATE and message, or why the connection failed.
public struct PostgresProblem: Error, CustomStringConvertible {
    public let description: String

    public init(_ what: String, _ error: any Error) {
        description = "\(what): \(Self.cause(of: error))"
    }

    private static func cause(of error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError,
            let cause = transaction.closureError ?? transaction.commitError ?? transaction.beginError
        {
            return Self.cause(of: cause)
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo, let message = info[.message] {
            return "\(message) (SQLSTATE \(info[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }
}
