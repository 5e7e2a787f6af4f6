import AudioCodec
import Dispatch
import Logging
import Store
import Synchronization

/// Stores conversation turns and their audio behind the session, in the order they happened:
/// Opus encoding, sealing and the synchronous database write neither delay the customer's
/// answer nor hold a thread of the Swift concurrency pool (under load they had done both).
/// A turn still queued when the process dies is lost; orders never go through here.
///
/// The shared log (PostgreSQL) is asynchronous: the queue waits for each write, so turns keep
/// their order, while the write itself runs on the pool without blocking it.
public final class TurnArchive: Sendable {
    private let log: any TurnStorage
    private let logger: Logger
    private let queue = DispatchQueue(label: "talkshop.turn-archive", qos: .utility)

    /// Opus complexity for utterances that arrive as PCM: at 5 the encoder takes about a third
    /// of the CPU of libopus's default 10; speech at 24 kbit/s stays clear for a listener.
    static let recordingComplexity = 5

    init(log: any TurnStorage, logger: Logger) {
        self.log = log
        self.logger = logger
    }

    /// A turn's audio: Ogg Opus already (an Opus device's packets as received), or 16 kHz
    /// samples to encode (μ-law and L16 streams).
    enum Audio {
        case oggOpus([UInt8], seconds: Double)
        case samples([Int16])
    }

    /// Queues the turn, with its audio stored as sealed Ogg Opus when given.
    func record(_ turn: Turn, audio: Audio?, deviceId: String) {
        queue.async { [log, logger] in
            do {
                let stored: TurnAudio? =
                    switch audio {
                    case .oggOpus(let bytes, let seconds)?: .init(oggOpus: bytes, durationSeconds: seconds, deviceId: deviceId)
                    case .samples(let samples)?:
                        .init(
                            oggOpus: try OggOpusEncoding.encode(samples, complexity: Self.recordingComplexity),
                            durationSeconds: Double(samples.count) / Double(recognitionSampleRate), deviceId: deviceId)
                    case nil: nil
                    }
                try Self.store(on: log) { try await $0.record(turn, audio: stored) } local: { try $0.record(turn, audio: stored) }
            } catch {
                logger.error("storing a turn failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Queues linking the session's turns since its last order to the order just placed.
    func linkTurns(ofSession sessionId: String, toOrder orderId: String) {
        queue.async { [log, logger] in
            do {
                try Self.store(on: log) { try await $0.link(sessionId: sessionId, toOrder: orderId) } local: {
                    try $0.link(sessionId: sessionId, toOrder: orderId)
                }
            } catch {
                logger.error("linking turns to the order failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Runs a write on the archive's queue: the local recorder's directly (SQLite, blocking
    /// this queue's thread, not the pool's); the shared log's as a task the queue waits for.
    private static func store(
        on log: any TurnStorage, _ shared: @escaping @Sendable (any TurnStorage) async throws -> Void, local: (SQLiteTurnStorage) throws -> Void
    ) throws {
        if let recorder = log as? SQLiteTurnStorage { return try local(recorder) }
        let done = DispatchSemaphore(value: 0)
        let failure = Mutex<(any Error)?>(nil)
        Task {
            do { try await shared(log) } catch { failure.withLock { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Returns once everything queued before the call is stored (tests, shutdown).
    public func flush() async {
        await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
    }
}
