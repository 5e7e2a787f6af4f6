import NIOCore
import Store
import Synchronization

/// What a WebSocket upgrade was admitted with, kept from the upgrade's check until the
/// upgraded session takes it over: the authenticated device (so a session authenticates once
/// per upgrade, not again after it) and the session slot taken before the upgrade. Taking the
/// slot first (rather than asking whether there is room, then taking it after the upgrade)
/// means a device over its limit always gets 429 before the upgrade, never a 101 closed at
/// once with 1008 when several connect at the same moment. A slot whose connection closes
/// before its session starts is released.
final class UpgradeAdmissions: Sendable {
    struct Admission: Sendable {
        let device: Device
        /// The web session token's hash, for a try-page session (its revocation ends the session).
        let webTokenHash: String?
        /// Nil when the count failed: the session then admits itself.
        let slot: SessionSlot?
    }

    private let held = Mutex<[ObjectIdentifier: Admission]>([:])
    private let limits: any SessionLimits

    init(limits: any SessionLimits) { self.limits = limits }

    /// Keeps `admission` for the session `channel` will carry.
    func hold(_ admission: Admission, for channel: any Channel) {
        let key = ObjectIdentifier(channel)
        held.withLock { $0[key] = admission }
        channel.closeFuture.whenComplete { [self] _ in
            // Still here: the upgrade never became a session.
            guard let unclaimed = held.withLock({ $0.removeValue(forKey: key) })?.slot else { return }
            Task { await limits.release(unclaimed) }
        }
    }

    /// The admission held for `channel`'s session, now the session's (its slot the session's to release).
    func take(for channel: any Channel) -> Admission? {
        held.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
