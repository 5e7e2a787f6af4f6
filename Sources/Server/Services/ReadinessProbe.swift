import ServiceLifecycle

/// Asks the stores every second whether they answer (`StoreReadiness.probe`): what `/readyz`
/// reports, and what lets store calls through again after the shared database was down. One
/// node's SQLite file needs no asking.
struct ReadinessProbe: Service {
    let services: TalkshopServices

    func run() async throws {
        guard services.stores.isShared else {
            // A service that returns would end the server: this one just waits for the end.
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = await services.stores.readiness.probe()
                // Cancellation ends the sleep early, and then the loop.
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
