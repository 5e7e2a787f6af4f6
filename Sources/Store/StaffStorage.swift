import Foundation

/// Where admin API tokens are kept: the SQLite database (`SQLiteStaffStorage`) or PostgreSQL
/// (`PostgresStaffStorage`), so an officer's token works on every node.
public protocol StaffStorage: Sendable {
    func issue(name: String, role: StaffToken.Role) async throws -> (staff: StaffToken, token: String)
    func staff(forToken token: String) async throws -> StaffToken?
    @discardableResult
    func revoke(id: String) async throws -> Bool
    func all() async throws -> [StaffToken]
}
