import Foundation
import Logging
import PostgresNIO
import PostgresStore

/// The PostgreSQL that scripts/test.sh starts for the tests (`TALKSHOP_TEST_POSTGRES_URL`),
/// with a new database for each test.
public enum TestPostgres {
    public static let serverURL = ProcessInfo.processInfo.environment["TALKSHOP_TEST_POSTGRES_URL"]
    /// Set by the test script: tests that need PostgreSQL must not skip quietly then.
    public static let required = ProcessInfo.processInfo.environment["TALKSHOP_REQUIRE_POSTGRES"] == "1"
    static let logger = Logger(label: "talkshop.test.postgres")

    public struct NotStarted: Error, CustomStringConvertible {
        public var description: String { "no TALKSHOP_TEST_POSTGRES_URL: run the tests with scripts/test.sh, which starts PostgreSQL" }
    }

    /// A new, empty database on the test server (its URL and location), dropped after `body`.
    public static func withDatabase(_ body: (_ url: String, _ location: PostgresLocation) async throws -> Void) async throws {
        guard let serverURL else { throw NotStarted() }
        let admin = try PostgresLocation(url: serverURL)
        let name = "talkshop_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await execute("CREATE DATABASE \(name)", on: admin)
        let url = serverURL.replacingOccurrences(of: "/talkshop_test", with: "/\(name)")
        do {
            try await body(url, try PostgresLocation(url: url))
        } catch {
            try? await execute("DROP DATABASE \(name) WITH (FORCE)", on: admin)
            throw error
        }
        try await execute("DROP DATABASE \(name) WITH (FORCE)", on: admin)
    }

    public static func execute(_ sql: String, on location: PostgresLocation) async throws {
        let connection = try await PostgresConnection.connect(configuration: location.configuration, id: 1, logger: logger)
        do {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch {
            try? await connection.close()
            throw PostgresProblem(sql, error)
        }
        try? await connection.close()
    }
}
