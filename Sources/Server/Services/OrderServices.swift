import Commerce
import Foundation
import Logging
import ServiceLifecycle
import Store

/// Pushes every order event to the customer's open sessions on this node. It reads the events
/// table after the last event it handled whenever there may be news (`services.stores.orderNews`): on
/// one node every 250 ms (so a change made by the staff CLI in another process reaches the
/// devices too); on PostgreSQL when a node's write notifies it (`PostgresOrderEvents`), so a
/// courier update written by one node reaches a session on another without polling.
///
/// (`orderNews` is a protocol rather than an enum of the two: Swift 6.3 miscompiled that
/// enum's layout — a `Duration` case beside one holding postgres-nio types — and the server
/// crashed destroying it.)
struct OrderUpdateFeed: Service {
    let services: TalkshopServices

    func run() async throws {
        var last: Int64
        do { last = try await services.orders.lastEventId() } catch {
            services.logger.error("reading order events failed", metadata: ["error": "\(error)"])
            last = 0
        }
        let reader = EventReader(services: services, last: last)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    // Read once on (re)connecting: events written while not listening are not lost.
                    try await services.stores.orderNews.listen(ready: { await reader.readNews() }) { _ in await reader.readNews() }
                } catch is CancellationError {
                    return
                } catch {
                    services.logger.error("listening for order events failed; listening again", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }

    /// Reads the events after the last one handled and publishes them, one reader at a time.
    actor EventReader {
        let services: TalkshopServices
        var last: Int64

        init(services: TalkshopServices, last: Int64) {
            self.services = services
            self.last = last
        }

        func readNews() async {
            do {
                for (event, order) in try await services.orders.events(after: last, limit: 500) {
                    last = event.id ?? last
                    // A new order is announced by the session that placed it; other devices
                    // hear from it once it is paid.
                    guard event.status != .placed else { continue }
                    services.channels.publish(
                        .init(orderId: order.id, status: event.status, total: "\(order.total)"), customerId: order.customerId,
                        except: event.source)
                }
            } catch {
                services.logger.error("reading order events failed", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Drives the courier: finishes what a crash interrupted, then applies its updates. The
/// recovery runs under a lease, so one node at a time does it, at start and then every
/// `recoveryGrace`: orders a dead node left half-done are finished by a live one, and refunds
/// the provider refused are tried again.
struct FulfilmentService: Service {
    let services: TalkshopServices
    let courier: SandboxCourier

    func run() async throws {
        // One node: what was placed before this start is nobody's. Several: another node's
        // session may be paying for an order placed a moment ago, so only older ones.
        let started = Date()
        await recover(placedBefore: services.stores.isShared ? started.addingTimeInterval(-recoveryGrace) : started)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await courier.run() }
                group.addTask {
                    for await update in courier.updates { await services.pipeline.apply(update) }
                }
                group.addTask {
                    while !Task.isCancelled {
                        // Cancellation ends the sleep early, and then the loop.
                        try? await Task.sleep(for: .seconds(recoveryGrace))
                        guard !Task.isCancelled else { return }
                        // Orders placed since the grace period began are still being paid by their sessions.
                        await recover(placedBefore: Date().addingTimeInterval(-recoveryGrace))
                    }
                }
                await group.waitForAll()
            }
        }
    }

    /// How long a session may still be paying for an order it placed: twice the payment
    /// timeout and 5 s (25 s by default). An order left unpaid longer than this is settled by
    /// the recovery, which runs that often.
    var recoveryGrace: TimeInterval { 2 * services.configuration.paymentTimeoutSeconds + 5 }

    private func recover(placedBefore start: Date) async {
        do {
            let ran = try await services.stores.leases.withLease("order recovery") { try await services.pipeline.recover(placedBefore: start) }
            if ran == nil { services.logger.debug("order recovery is running on another node") }
        } catch {
            services.logger.error("recovering unfinished orders failed", metadata: ["error": "\(error)"])
        }
    }
}
