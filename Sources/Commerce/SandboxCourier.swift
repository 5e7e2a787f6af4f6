import Foundation
import Synchronization

/// A courier's test mode: each dispatched order moves paid → preparing → out_for_delivery →
/// delivered on a fixed schedule, with an update for each step. `run()` drives the clock; the
/// server runs it as a service.
public final class SandboxCourier: Fulfilment {
    /// Seconds after dispatch at which each step happens.
    public struct Schedule: Sendable, Equatable, Codable {
        public var preparing: Double = 5
        public var outForDelivery: Double = 15
        public var delivered: Double = 30

        public init(preparing: Double = 5, outForDelivery: Double = 15, delivered: Double = 30) {
            self.preparing = preparing
            self.outForDelivery = outForDelivery
            self.delivered = delivered
        }

        /// Keys missing from a configuration file keep their defaults.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = Schedule()
            preparing = try container.decodeIfPresent(Double.self, forKey: .preparing) ?? defaults.preparing
            outForDelivery = try container.decodeIfPresent(Double.self, forKey: .outForDelivery) ?? defaults.outForDelivery
            delivered = try container.decodeIfPresent(Double.self, forKey: .delivered) ?? defaults.delivered
        }
    }

    private struct Shipment {
        var trackingNumber: String
        var steps: [(due: ContinuousClock.Instant, status: OrderStatus)]
    }

    private let schedule: Schedule
    private let shipments = Mutex<[String: Shipment]>([:])
    private let trackingNumbers = Mutex<[String: String]>([:])
    public let updates: AsyncStream<TrackingUpdate>
    private let sink: AsyncStream<TrackingUpdate>.Continuation

    public init(schedule: Schedule = Schedule()) {
        self.schedule = schedule
        (updates, sink) = AsyncStream.makeStream(of: TrackingUpdate.self)
    }

    /// Schedules the order's steps from now, once: an order already handed over keeps its
    /// schedule and tracking number.
    public func dispatch(orderId: String, status: OrderStatus) async throws -> String {
        let (trackingNumber, isNew) = trackingNumbers.withLock { numbers in
            if let known = numbers[orderId] { return (known, false) }
            let number = "TS" + String(UInt64.random(in: 1_000_000_000...9_999_999_999))
            numbers[orderId] = number
            return (number, true)
        }
        if isNew { plan(orderId: orderId, trackingNumber: trackingNumber, from: status, reachedAt: .now) }
        return trackingNumber
    }

    /// An order this courier does not know (it was dispatched before a restart, or by another
    /// node's courier): its remaining steps, due when they would have been had it never stopped.
    public func resume(orderId: String, trackingNumber: String, status: OrderStatus, since: Date) async {
        let isNew = trackingNumbers.withLock { numbers in
            guard numbers[orderId] == nil else { return false }
            numbers[orderId] = trackingNumber
            return true
        }
        let elapsed = Duration.milliseconds(Int(max(0, Date().timeIntervalSince(since)) * 1_000))
        if isNew { plan(orderId: orderId, trackingNumber: trackingNumber, from: status, reachedAt: .now - elapsed) }
    }

    /// The steps after `status`, timed from when the order reached it.
    private func plan(orderId: String, trackingNumber: String, from status: OrderStatus, reachedAt: ContinuousClock.Instant) {
        let offsets: [(seconds: Double, status: OrderStatus)] = [
            (0, .paid), (schedule.preparing, .preparing), (schedule.outForDelivery, .outForDelivery), (schedule.delivered, .delivered),
        ]
        guard let reached = offsets.firstIndex(where: { $0.status == status }) else { return }
        let steps = offsets[(reached + 1)...].map {
            (due: reachedAt + .milliseconds(Int(($0.seconds - offsets[reached].seconds) * 1_000)), status: $0.status)
        }
        if !steps.isEmpty { shipments.withLock { $0[orderId] = Shipment(trackingNumber: trackingNumber, steps: steps) } }
    }

    /// The steps still to come for an order, in order (for tests and diagnostics).
    public func pendingSteps(orderId: String) -> [OrderStatus] {
        shipments.withLock { $0[orderId]?.steps.map(\.status) ?? [] }
    }

    /// Emits due updates until cancelled.
    public func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(50))
            let due = shipments.withLock { shipments -> [TrackingUpdate] in
                let now = ContinuousClock.now
                var due: [TrackingUpdate] = []
                for (orderId, var shipment) in shipments {
                    while let step = shipment.steps.first, step.due <= now {
                        due.append(TrackingUpdate(orderId: orderId, trackingNumber: shipment.trackingNumber, status: step.status))
                        shipment.steps.removeFirst()
                    }
                    shipments[orderId] = shipment.steps.isEmpty ? nil : shipment
                }
                return due
            }
            for update in due { sink.yield(update) }
        }
        sink.finish()
    }
}
