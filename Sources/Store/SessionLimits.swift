import Foundation

/// Where the session and rate limits are counted: in one node's memory (`MemorySessionLimits`, the
/// server's) or in PostgreSQL (`PostgresSessionLimits`), so that the limits hold for a device
/// whichever nodes its sessions reach.
public protocol SessionLimits: Sendable {
    /// Reserves a slot for a new session of `deviceId`: the slot's id, to release, or why not.
    func admit(deviceId: String) async throws -> SessionSlot
    /// Whether `admit` would succeed now (checked before accepting a WebSocket upgrade).
    func canAdmit(deviceId: String) async throws -> Bool
    func release(_ slot: SessionSlot) async
    /// Records an utterance; false when the device has used its budget for the last minute.
    func allowUtterance(deviceId: String, at now: Date) async throws -> Bool
}
