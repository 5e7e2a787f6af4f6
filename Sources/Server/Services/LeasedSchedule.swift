import Logging
import Store

/// A job that one node at a time runs every `interval`: the node that owns the lease runs it
/// (at once when it takes it, then every `interval`); every node asks every `check` whether it
/// owns it, so when the owner dies another takes over within `check` of PostgreSQL ending the
/// dead node's session. On one node the job simply runs every `interval`.
struct LeasedSchedule {
    let lease: String
    let interval: Duration
    /// How often a node that does not own the lease asks for it.
    var check: Duration = .seconds(5)
    let leases: any Leases
    let logger: Logger

    /// Runs `job` whenever it is due on this node, until cancelled. `job` is told how many
    /// times it ran before on this node (0: the first time since this node took the lease).
    func run(_ job: (_ runsBefore: Int) async -> Void) async {
        var lastRun: ContinuousClock.Instant?
        var runs = 0
        while !Task.isCancelled {
            let owner: Bool
            do { owner = try await leases.owns(lease) } catch {
                logger.error("asking for a lease failed", metadata: ["lease": "\(lease)", "error": "\(error)"])
                owner = false
            }
            if owner {
                if lastRun.map({ ContinuousClock.now - $0 >= interval }) ?? true {
                    if lastRun == nil { logger.notice("this node now runs a job", metadata: ["lease": "\(lease)"]) }
                    lastRun = .now
                    await job(runs)
                    runs += 1
                }
            } else if lastRun != nil {
                logger.notice("another node now runs a job", metadata: ["lease": "\(lease)"])
                lastRun = nil
                runs = 0
            }
            // Cancellation ends the sleep early, and then the loop.
            try? await Task.sleep(for: owner ? min(check, interval) : check)
        }
    }
}
