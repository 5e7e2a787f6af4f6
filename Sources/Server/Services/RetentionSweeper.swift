import Foundation
import ServiceLifecycle
import Store

/// Applies the retention policy while the server runs: records the policy in the audit
/// trail if it changed, sweeps once at start and then every `sweepIntervalMinutes`.
struct RetentionSweeper: Service {
    let services: TalkshopServices

    func run() async throws {
        let desk = services.retention
        let policy = services.policy
        do {
            try desk.notePolicy(policy, source: services.configuration.retentionPolicy, actor: "system")
        } catch {
            services.logger.error("recording the retention policy failed", metadata: ["error": "\(error)"])
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let report = try desk.sweep(policy: policy)
                    if report.recordings + report.transcripts + report.sessions > 0 {
                        services.logger.notice("retention sweep", metadata: [
                            "recordings": "\(report.recordings)", "transcripts": "\(report.transcripts)", "sessions": "\(report.sessions)",
                        ])
                    }
                } catch {
                    services.logger.error("retention sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(policy.sweepInterval))
            }
        }
    }
}
