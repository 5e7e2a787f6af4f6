import Commerce
import Foundation
import Logging
import ServiceLifecycle
import Store

/// Pushes every order event to the customer's open sessions on this node. It reads the events
/// table after the last event it handled whenever there may be news (`services.stores.orderNews`): on
/// one node every 250 ms (so a change made by the staff CLI in another process reaches the
/// devices too); on PostgreSQL when a node's write notifies it (`PostgresOrderNews`), so a
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

/// Drives the courier and finishes what a crash interrupted. The order recovery runs on the
/// node that owns the lease "order recovery", at once when it takes it and then every
/// `recoveryGrace`: orders a dead node left half-done are finished by a live one, and refunds
/// the provider refused are tried again.
struct FulfilmentService: Service {
    let services: TalkshopServices
    let courier: SandboxCourier

    func run() async throws {
        let started = Date()
        let schedule = LeasedSchedule(
            lease: LeaseName.orderRecovery, interval: .milliseconds(Int(recoveryGrace * 1_000)), leases: services.stores.leases,
            logger: services.logger)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await courier.run() }
                group.addTask {
                    for await update in courier.updates { await services.pipeline.apply(update) }
                }
                group.addTask {
                    await schedule.run { runsBefore in
                        // One node, first run: what was placed before this start is nobody's.
                        // Otherwise an order placed within the grace period may still be being
                        // paid by its session (on this node or another).
                        let alone = !services.stores.isShared && runsBefore == 0
                        await recover(placedBefore: alone ? started : Date().addingTimeInterval(-recoveryGrace))
                    }
                }
                await group.waitForAll()
            }
        }
    }

    /// How long a session may still be paying for an order it placed: twice the payment
    /// timeout and 5 s (25 s by default). An order left unpaid longer than this is settled by
    /// the recovery, which runs that often: its payment is settled within two grace periods
    /// and one more payment timeout of being placed (60 s by default; docs/deployment.md).
    var recoveryGrace: TimeInterval { 2 * services.configuration.paymentTimeoutSeconds + 5 }

    private func recover(placedBefore cutoff: Date) async {
        do { try await services.pipeline.recover(placedBefore: cutoff) } catch {
            services.logger.error("recovering unfinished orders failed", metadata: ["error": "\(error)"])
        }
    }
}
