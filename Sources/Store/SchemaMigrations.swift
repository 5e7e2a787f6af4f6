import Foundation
import GRDB

/// The schema's migrations as SQL, for the backends that cannot run GRDB's migrator.
public enum SchemaMigrations {
    /// The statements that change the schema, per migration in order, as each migration runs
    /// them on an empty in-memory database: what `PostgresSchema` translates, so the schema's
    /// migrations are written once.
    package static func statements() throws -> [(identifier: String, statements: [String])] {
        let migrator = AppDatabase.migrator
        let database = try DatabaseQueue()
        var executed: [String] = []
        // One connection: the trace set here sees every statement the migrations run.
        database.writeWithoutTransaction { db in
            db.trace(options: .statement) { event in
                if case .statement(let statement) = event { executed.append(statement.sql) }
            }
        }
        var migrations: [(identifier: String, statements: [String])] = []
        for identifier in migrator.migrations {
            executed = []
            try migrator.migrate(database, upTo: identifier)
            migrations.append((identifier, executed.filter(changesSchema)))
        }
        return migrations
    }

    /// A statement of the migration itself, not of GRDB's bookkeeping or its checks.
    static func changesSchema(_ sql: String) -> Bool {
        let upper = sql.trimmingCharacters(in: .whitespaces).uppercased()
        guard !upper.contains("GRDB_MIGRATIONS") else { return false }
        return ["CREATE ", "ALTER ", "DROP ", "UPDATE ", "INSERT ", "DELETE "].contains { upper.hasPrefix($0) }
    }
}
