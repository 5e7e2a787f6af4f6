import Conversation
import Foundation
import Logging
import Synchronization

/// The one `BroadcastDetector` all sessions share, and the report when it fires.
public final class BroadcastWatch: Sendable {
    private let detector: Mutex<BroadcastDetector>
    private let metrics: Metrics
    private let logger: Logger

    init(settings: BroadcastDetector.Settings, metrics: Metrics, logger: Logger) {
        detector = Mutex(BroadcastDetector(settings: settings))
        self.metrics = metrics
        self.logger = logger
    }

    /// Records words a customer's device heard; reports (metric and log, never the words)
    /// when they turn out to be a broadcast.
    func heard(_ transcript: String, intent: String, customerId: String, at now: Date = Date()) {
        let paused = detector.withLock { $0.record(transcript: transcript, customer: customerId, at: now) }
        guard !paused.isEmpty else { return }
        metrics.increment(.broadcastsDetected)
        metrics.increment(.broadcastSuppressedCustomers, by: Double(paused.count))
        logger.warning(
            "broadcast detected: the same words from several customers at once; ordering paused for them",
            metadata: ["talkshop.intent": "\(intent)", "talkshop.customers.paused": "\(paused.count)"])
    }

    func isSuppressed(_ customerId: String, at now: Date = Date()) -> Bool {
        detector.withLock { $0.isSuppressed(customerId, at: now) }
    }
}
