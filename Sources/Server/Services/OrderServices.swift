import Commerce
import Foundation
import Logging
import ServiceLifecycle
import Store

/// Pushes every order event to the customer's open sessions. It reads the events table, so a
/// change made by the staff CLI in another process reaches the devices as well.
struct OrderUpdateFeed: Service {
    let services: TalkshopServices
    var interval: Duration = .milliseconds(250)

    func run() async throws {
        let start = try services.orders.lastEventId()
        await cancelWhenGracefulShutdown {
            var last = start
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                do {
                    for (event, order) in try services.orders.events(after: last) {
                        last = event.id ?? last
                        // A new order is announced by the session that placed it; other devices
                        // hear from it once it is paid.
                        guard event.status != .placed else { continue }
                        let total = "\(order.total)"
                        services.channels.publish(
                            .init(orderId: order.id, status: event.status, total: total), customerId: order.customerId, except: event.source)
                    }
                } catch {
                    services.logger.error("reading order events failed", metadata: ["error": "\(error)"])
                }
            }
        }
    }
}

/// Drives the courier: finishes what a restart interrupted, then applies its updates.
struct FulfilmentService: Service {
    let services: TalkshopServices
    let courier: SandboxCourier

    func run() async throws {
        do {
            try await services.pipeline.recover(placedBefore: Date())
        } catch {
            services.logger.error("recovering unfinished orders failed", metadata: ["error": "\(error)"])
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await courier.run() }
                group.addTask {
                    for await update in courier.updates { services.pipeline.apply(update) }
                }
                await group.waitForAll()
            }
        }
    }
}
