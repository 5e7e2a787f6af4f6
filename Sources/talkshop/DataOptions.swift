import ArgumentParser
import Foundation
import Store

/// Where the staff commands find the database: the same place `talkshop serve` uses.
struct DataOptions: ParsableArguments {
    @Option(help: "Directory of the database (default: TALKSHOP_DATA_DIR or ./var).")
    var dataDirectory: String = ProcessInfo.processInfo.environment["TALKSHOP_DATA_DIR"] ?? AppDatabase.defaultDataDirectory

    func database() throws -> AppDatabase {
        try AppDatabase.open(at: URL(fileURLWithPath: dataDirectory).appendingPathComponent("talkshop.sqlite"))
    }

    /// The retention desk over this data directory: its database, key vault, recordings and audit trail.
    func retentionDesk() throws -> RetentionDesk {
        try RetentionDesk.open(database: database(), dataDirectory: URL(fileURLWithPath: dataDirectory))
    }
}

/// A mistake in what the user typed: printed as "Error: …" with exit status 1.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
