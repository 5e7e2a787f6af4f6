import Foundation
import ServiceLifecycle
import Store

/// Ends the open sessions of devices and customers revoked while the server runs, and those
/// opened with web tokens ended since. It reads the database, so a revocation by the CLI in
/// another process (`talkshop devices revoke`, `talkshop customers revoke`), or a web token
/// ended on another node, reaches the sessions too.
struct RevocationWatch: Service {
    let services: TalkshopServices

    func run() async throws {
        // A session can only be open for a device revoked after it was admitted, and the
        // admission check refuses revoked devices: revocations before the start do not matter.
        // The system clock, not the injected one: the CLI stamps revocations with it.
        let start = Date().addingTimeInterval(-60)
        let interval = Duration.milliseconds(Int(services.configuration.limits.revocationCheckSeconds * 1_000))
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do {
                    let devices = Set(try await services.devices.revoked(since: start))
                    let customers = Set(try await services.customers.revoked(since: start))
                    let webTokens = Set(try await services.stores.webGrants.revoked(since: start))
                    guard !devices.isEmpty || !customers.isEmpty || !webTokens.isEmpty else { continue }
                    let ended = services.openSessions.end(deviceIds: devices, customerIds: customers, webTokenHashes: webTokens, reason: "revoked")
                    if ended > 0 {
                        services.logger.notice("ended sessions of revoked devices or customers", metadata: ["talkshop.sessions": "\(ended)"])
                    }
                } catch {
                    services.logger.error("reading revocations failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}
