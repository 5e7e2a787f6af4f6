import NIOCore
import Store
import Synchronization

/// Session slots taken before a WebSocket upgrade is accepted, until the upgraded session
/// takes them over. Taking the slot first (rather than asking whether there is room, then
/// taking it after the upgrade) means a device over its limit always gets 429 before the
/// upgrade, never a 101 closed at once with 1008 when several connect at the same moment.
/// A slot whose connection closes before its session starts is released.
final class UpgradeSlots: Sendable {
    private let held = Mutex<[ObjectIdentifier: SessionSlot]>([:])
    private let limits: any SessionLimits

    init(limits: any SessionLimits) { self.limits = limits }

    /// Keeps `slot` for the session `channel` will carry.
    func hold(_ slot: SessionSlot, for channel: any Channel) {
        let key = ObjectIdentifier(channel)
        held.withLock { $0[key] = slot }
        channel.closeFuture.whenComplete { [self] _ in
            // Still here: the upgrade never became a session.
            guard let unclaimed = held.withLock({ $0.removeValue(forKey: key) }) else { return }
            Task { await limits.release(unclaimed) }
        }
    }

    /// The slot held for `channel`'s session, now the session's to release.
    func take(for channel: any Channel) -> SessionSlot? {
        held.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}
