import Foundation
import PostgresNIO

/// A PostgreSQL database named by URL: `postgres://user[:password]@host[:port]/database`
/// (`database:` in the configuration, or `TALKSHOP_DATABASE_URL`). `?sslmode=require` asks for
/// TLS; without it the connection is plain, for a database on loopback or a private network.
/// A URL without a password takes it from a password file (`PGPASSFILE`, `~/.pgpass`).
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public let configuration: PostgresConnection.Configuration
    /// The same, for a pool of connections (`PostgresConnections.pooled`).
    public let poolConfiguration: PostgresClient.Configuration
    /// The URL without its password, for messages.
    public let description: String
    /// Whether a password was found (in the URL or a password file), for tests and diagnostics.
    public var hasPassword: Bool { configuration.password != nil }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(Invalid) {
        // Messages show the URL without its password.
        let shown = URLComponents(string: text).map { url in
            var url = url
            guard url.password != nil else { return url.string ?? "?" }
            url.password = nil
            return (url.string ?? "?") + " (password not shown)"
        } ?? "?"
        guard Self.isPostgres(text), let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw Invalid(description: "not a PostgreSQL URL (postgres://user@host:port/database): \(shown)")
        }
        guard let user = url.user, !user.isEmpty else { throw Invalid(description: "the PostgreSQL URL names no user: \(shown)") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw Invalid(description: "the PostgreSQL URL names no database: \(shown)") }
        let sslMode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require":
            do { tls = .require(try .init(configuration: .makeClientConfiguration())) } catch {
                throw Invalid(description: "TLS for PostgreSQL could not be set up: \(error)")
            }
        default: throw Invalid(description: "sslmode must be disable or require, not \(sslMode)")
        }
        var password = url.password
        if password == nil {
            password = try PostgresPasswordFile.password(host: host, port: url.port ?? 5432, database: database, user: user, environment: environment)
        }
        configuration = PostgresConnection.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: password, database: database, tls: tls)
        var pool = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: password, database: database,
            tls: sslMode == "require" ? .require(.makeClientConfiguration()) : .disable)
        pool.options.maximumConnections = 16
        poolConfiguration = pool
        description = "postgres://\(user)@\(host):\(url.port ?? 5432)/\(database)"
    }
}
