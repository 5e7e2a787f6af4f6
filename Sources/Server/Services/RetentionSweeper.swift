import Foundation
import ServiceLifecycle
import Store

/// Applies the retention policy while the server runs: records the policy in the audit
/// trail if it changed, sweeps once at start and then every `sweepIntervalMinutes`. On shared
/// stores each sweep runs under the lease "retention sweep": one node sweeps at a time, and
/// another takes over when that node dies.
struct RetentionSweeper: Service {
    let services: TalkshopServices

    func run() async throws {
        let desk = services.retention
        let policy = services.policy
        do {
            try await desk.notePolicy(policy, source: services.configuration.retentionPolicy, actor: "system")
        } catch {
            services.logger.error("recording the retention policy failed", metadata: ["error": "\(error)"])
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let swept = try await services.stores.leases.withLease("retention sweep") {
                        try await desk.sweep(policy: policy, now: Date(), actor: "system", dryRun: false)
                    }
                    if let report = swept, report.recordings + report.transcripts + report.sessions > 0 {
                        services.logger.notice("retention sweep", metadata: [
                            "recordings": "\(report.recordings)", "transcripts": "\(report.transcripts)", "sessions": "\(report.sessions)",
                        ])
                    } else if swept == nil {
                        services.logger.debug("the retention sweep is running on another node")
                    }
                } catch {
                    services.logger.error("retention sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(policy.sweepInterval))
            }
        }
    }
}
