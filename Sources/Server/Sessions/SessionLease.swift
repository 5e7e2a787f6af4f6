import Store

/// What every live session holds while it is open, on every channel (a speaker's or web
/// page's WebSocket, a phone call): its place in the session limits, its record, its entry
/// among the open sessions (so a revocation ends it at once) and its subscription to the
/// customer's order updates. `open` takes them all, in that order, and gives back what it took
/// if a later step fails; `close` gives them all back. The channel decides only what to say
/// when the streams yield.
struct SessionLease: Sendable {
    let device: Device
    let record: SessionRecord
    /// Yields a reason once if the session must end now (the device, its customer or its web
    /// token was revoked).
    let revocation: AsyncStream<String>
    /// Order updates for the customer from the courier, staff or another of their devices.
    let updates: AsyncStream<CustomerChannels.Update>
    private let slot: SessionSlot
    private let services: TalkshopServices

    /// Why a session could not be opened: over the limits (`SessionRefusal`), or a store failed.
    enum Refusal: Error {
        case limits(SessionRefusal)
        case store(any Error)
    }

    /// Opens a session of `device` on `channel` (voice, phone). `admitted`: the slot already
    /// taken before a WebSocket upgrade (nil: take one now).
    static func open(
        _ device: Device, channel: String, webTokenHash: String?, admitted: SessionSlot?, services: TalkshopServices
    ) async throws(Refusal) -> SessionLease {
        let slot: SessionSlot
        do {
            if let admitted { slot = admitted } else { slot = try await services.registry.admit(deviceId: device.id) }
        } catch let refusal as SessionRefusal {
            throw .limits(refusal)
        } catch {
            throw .store(error)
        }
        let record: SessionRecord
        do {
            record = try await services.sessions.open(deviceId: device.id, channel: channel)
        } catch {
            await services.registry.release(slot)
            throw .store(error)
        }
        let updates = services.channels.subscribe(customerId: device.customerId, sessionId: record.id)
        let revocation = services.openSessions.open(
            sessionId: record.id, .init(deviceId: device.id, customerId: device.customerId, webTokenHash: webTokenHash))
        return SessionLease(device: device, record: record, revocation: revocation, updates: updates, slot: slot, services: services)
    }

    /// Gives back everything `open` took. (The session's record is closed by the session,
    /// with what it came to: `VoiceSession.end`.)
    func close() async {
        services.openSessions.close(sessionId: record.id)
        services.channels.unsubscribe(customerId: device.customerId, sessionId: record.id)
        await services.registry.release(slot)
    }
}
