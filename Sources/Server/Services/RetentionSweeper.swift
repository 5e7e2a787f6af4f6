import Foundation
import ServiceLifecycle
import Store

/// Applies the retention policy while the server runs: records the policy in the audit
/// trail if it changed, and sweeps every `sweepIntervalMinutes` on the node that owns the
/// lease "retention sweep" (one node at a time; another takes over when it dies). Its audit
/// entries name that node.
struct RetentionSweeper: Service {
    let services: TalkshopServices

    func run() async throws {
        let desk = services.retention
        let policy = services.policy
        let leases = services.stores.leases
        do {
            try await desk.notePolicy(policy, source: services.configuration.retentionPolicy, actor: leases.actorName)
        } catch {
            services.logger.error("recording the retention policy failed", metadata: ["error": "\(error)"])
        }
        let schedule = LeasedSchedule(
            lease: LeaseName.retentionSweep, interval: .milliseconds(Int(policy.sweepInterval * 1_000)), leases: leases, logger: services.logger)
        await cancelWhenGracefulShutdown {
            await schedule.run { _ in
                do {
                    let report = try await desk.sweep(policy: policy, now: Date(), actor: leases.actorName, dryRun: false)
                    if report.recordings + report.transcripts + report.sessions > 0 {
                        services.logger.notice("retention sweep", metadata: [
                            "recordings": "\(report.recordings)", "transcripts": "\(report.transcripts)", "sessions": "\(report.sessions)",
                        ])
                    }
                } catch {
                    services.logger.error("retention sweep failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
