import Foundation

/// Runs the search of utterances being spoken on one thread per core, and serves an
/// utterance whose speaker has stopped before those still being spoken.
///
/// Utterances still being spoken have seconds of slack: their audio can wait. The one that
/// has ended is what a customer is waiting on. With a first-come queue (a Dispatch queue per
/// utterance) a burst of speakers delayed every answer behind everyone's audio; here the
/// finished utterance goes to the front, and audio that waited is searched in one larger piece.
final class DecodeScheduler: @unchecked Sendable {
    static let shared = DecodeScheduler(threads: ProcessInfo.processInfo.activeProcessorCount)

    /// Guards both queues; workers wait on it for work.
    private let condition = NSCondition()
    private var ended: [StreamingUtterance] = []
    private var speaking: [StreamingUtterance] = []

    init(threads: Int) {
        for index in 0..<max(1, threads) {
            let thread = Thread { [self] in work() }
            thread.name = "talkshop-decode-\(index)"
            thread.start()
        }
    }

    /// Queues an utterance that has work (the utterance makes sure it is queued once);
    /// `urgent` when its speaker has stopped.
    func schedule(_ utterance: StreamingUtterance, urgent: Bool) {
        condition.lock()
        if urgent { ended.append(utterance) } else { speaking.append(utterance) }
        condition.signal()
        condition.unlock()
    }

    /// Moves a queued utterance whose speaker has just stopped to the front. Not finding it
    /// means a thread has already taken it: that thread sees the stop and finishes it.
    func promote(_ utterance: StreamingUtterance) {
        condition.lock()
        if let index = speaking.firstIndex(where: { $0 === utterance }) {
            speaking.remove(at: index)
            ended.append(utterance)
        }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while ended.isEmpty && speaking.isEmpty { condition.wait() }
            let next = ended.isEmpty ? speaking.removeFirst() : ended.removeFirst()
            condition.unlock()
            next.run()
        }
    }
}
