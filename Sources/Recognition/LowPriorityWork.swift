import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Blocking work that must not take CPU from decoding: run on a thread of its own, created
/// for it (rare work, such as a near-miss verification) and niced below the decoding threads.
/// A pooled thread is never niced: it could not be given its priority back without privilege.
enum LowPriorityWork {
    /// The nice value of the thread (decoding runs at 0).
    static let niceness: Int32 = 10

    static func run<T: Sendable>(_ work: @escaping @Sendable () throws(RecognitionError) -> T) async throws(RecognitionError) -> T {
        try await result(of: work).get()
    }

    /// `run`, with the error returned rather than thrown.
    static func result<T: Sendable>(of work: @escaping @Sendable () throws(RecognitionError) -> T) async -> Result<T, RecognitionError> {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                #if canImport(Glibc)
                    // On Linux a thread's nice value is its own: `who` 0 is the calling thread.
                    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, niceness)
                #endif
                continuation.resume(returning: Result(catching: work))
            }
            thread.name = "talkshop-verify"
            thread.start()
        }
    }
}
