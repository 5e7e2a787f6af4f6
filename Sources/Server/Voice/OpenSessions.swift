import Foundation
import Synchronization

/// The sessions open on this server, by device, customer and web session token, so that a
/// revocation ends them at once instead of at their next connection.
public final class OpenSessions: Sendable {
    /// What a session was opened with.
    public struct Credentials: Sendable, Equatable {
        public var deviceId: String
        public var customerId: String
        /// SHA-256 of the `tsw_` token a web page connected with, if any.
        public var webTokenHash: String?
    }

    private struct Entry {
        var credentials: Credentials
        var end: AsyncStream<String>.Continuation
    }

    private let entries = Mutex<[String: Entry]>([:])

    public init() {}

    /// Registers a session; the stream yields a reason once if the session must end (then
    /// finishes). Call `close` when the session is over.
    func open(sessionId: String, _ credentials: Credentials) -> AsyncStream<String> {
        let (stream, end) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1))
        entries.withLock { $0[sessionId] = Entry(credentials: credentials, end: end) }
        return stream
    }

    func close(sessionId: String) {
        entries.withLock { $0.removeValue(forKey: sessionId) }?.end.finish()
    }

    /// Ends every session opened with any of these devices, customers or web tokens; returns
    /// how many.
    @discardableResult
    public func end(deviceIds: Set<String> = [], customerIds: Set<String> = [], webTokenHashes: Set<String> = [], reason: String) -> Int {
        let ending = entries.withLock { entries in
            let matching = entries.filter { _, entry in
                deviceIds.contains(entry.credentials.deviceId) || customerIds.contains(entry.credentials.customerId)
                    || entry.credentials.webTokenHash.map(webTokenHashes.contains) == true
            }
            for id in matching.keys { entries[id] = nil }
            return matching.values
        }
        for entry in ending {
            entry.end.yield(reason)
            entry.end.finish()
        }
        return ending.count
    }

    public var count: Int { entries.withLock { $0.count } }
}
