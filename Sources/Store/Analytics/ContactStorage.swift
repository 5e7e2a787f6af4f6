import Foundation

/// Where contacts' analytics are kept: the SQLite file (`SQLiteContactStorage`) or the shared
/// database (`PostgresContactStorage`).
public protocol ContactStorage: Sendable {
    /// Stores a contact's record, replacing one of the same session (a rebuild, a retry).
    func record(_ contact: ContactRecord) async throws
    /// Contacts that ended at or after `since`, oldest first.
    func contacts(endedSince since: Date) async throws -> [ContactRecord]
    /// An erasure: the customer's contacts keep their counts and lose the customer. Returns
    /// how many were anonymised.
    @discardableResult
    func anonymise(customerId: String) async throws -> Int
    /// `--rebuild`: removes rebuilt contacts that ended at or after `since` (live ones stay).
    func removeRebuilt(endedSince since: Date) async throws
    /// Sessions ended at or after `since` with no contact, with their turns and orders; never
    /// those of an erased customer (their contacts were renamed, and their session rows must
    /// not bring the customer back into the analytics).
    func uncountedSessions(endedSince since: Date) async throws -> [ContactSource]
}
