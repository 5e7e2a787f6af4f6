import CoreMetrics
import Foundation
import Prometheus

/// The server's counters, gauges and decode latency, reported through swift-metrics to a
/// Prometheus registry of their own and rendered in Prometheus's text format at `/metrics`
/// (with the process's CPU, memory and descriptors). Each `Metrics` has its own registry, so
/// servers in one process (the tests) count apart; `bootstrapProcess()` makes it the backend
/// of everything else in the process that reports to swift-metrics (Hummingbird's
/// `MetricsMiddleware` for HTTP).
public final class Metrics: Sendable {
    /// Upper bounds of the decode latency buckets, in seconds.
    static let latencyBuckets: [Double] = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5]
    static let latencyName = "talkshop_decode_latency_seconds"

    private let registry = PrometheusCollectorRegistry()
    /// The swift-metrics factory reporting to this registry.
    public let factory: PrometheusMetricsFactory
    private let decodeLatency: CoreMetrics.Timer

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[Self.latencyName] = Self.latencyBuckets.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        self.factory = factory
        decodeLatency = CoreMetrics.Timer(label: Self.latencyName, dimensions: [], factory: factory)
    }

    /// Makes this registry the process's swift-metrics backend (once per process: `serve`).
    public func bootstrapProcess() {
        MetricsSystem.bootstrap(factory)
    }

    /// Counts one event (or `amount` of them); `label` is the value of the counter's
    /// `labelKey`: `increment(.rejections, label: "no_match")`.
    public func increment(_ counter: Counter, label: String? = nil, by amount: Double = 1) {
        let dimensions = Self.dimensions(counter, label)
        if amount == amount.rounded(), amount >= 0, amount < Double(Int64.max) {
            CoreMetrics.Counter(label: counter.rawValue, dimensions: dimensions, factory: factory).increment(by: Int64(amount))
        } else {
            FloatingPointCounter(label: counter.rawValue, dimensions: dimensions, factory: factory).increment(by: amount)
        }
    }

    public func adjust(_ gauge: Gauge, by amount: Double) {
        let meter = Meter(label: gauge.rawValue, dimensions: [], factory: factory)
        if amount < 0 { meter.decrement(by: -amount) } else { meter.increment(by: amount) }
    }

    /// A sample's value as `/metrics` shows it now (0 when it has none yet).
    public func value(of gauge: Gauge) -> Double { sample(gauge.rawValue) }
    public func value(of counter: Counter, label: String? = nil) -> Double { sample(counter.sample(label)) }

    /// Records end of speech → result latency.
    public func recordDecodeLatency(seconds: Double) {
        decodeLatency.recordNanoseconds(Int64((seconds * 1e9).rounded()))
    }

    public func render() -> String {
        registry.emitToString() + ProcessStatistics.current().prometheusLines.joined(separator: "\n") + "\n"
    }

    private func sample(_ name: String) -> Double {
        registry.emitToString().split(separator: "\n").lazy
            .first { $0.hasPrefix(name + " ") }
            .flatMap { Double($0.dropFirst(name.count + 1)) } ?? 0
    }

    private static func dimensions(_ counter: Counter, _ label: String?) -> [(String, String)] {
        guard let key = counter.labelKey, let label else { return [] }
        return [(key, label)]
    }
}
