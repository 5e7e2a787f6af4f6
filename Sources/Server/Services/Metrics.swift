import Foundation
import Synchronization

/// Counters, gauges and one latency histogram, rendered in the Prometheus text format at
/// `/metrics`. Small and lock-protected: updates happen per utterance, not per sample.
public final class Metrics: Sendable {
    /// Upper bounds of the decode latency buckets, in seconds.
    static let latencyBuckets: [Double] = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2, 5]

    private struct State {
        var counters: [String: Double] = [:]
        var gauges: [String: Double] = [:]
        var latencyCounts = [Int](repeating: 0, count: Metrics.latencyBuckets.count)
        var latencySum = 0.0
        var latencyCount = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Counts one event (or `amount` of them); `label` is the value of the counter's
    /// `labelKey`: `increment(.rejections, label: "no_match")`.
    public func increment(_ counter: Counter, label: String? = nil, by amount: Double = 1) {
        state.withLock { $0.counters[counter.sample(label), default: 0] += amount }
    }

    public func adjust(_ gauge: Gauge, by amount: Double) {
        state.withLock { $0.gauges[gauge.rawValue, default: 0] += amount }
    }

    public func value(of gauge: Gauge) -> Double { state.withLock { $0.gauges[gauge.rawValue] ?? 0 } }
    public func value(of counter: Counter, label: String? = nil) -> Double {
        state.withLock { $0.counters[counter.sample(label)] ?? 0 }
    }

    /// Records end of speech → result latency.
    public func recordDecodeLatency(seconds: Double) {
        state.withLock { state in
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { state.latencyCounts[index] += 1 }
            state.latencySum += seconds
            state.latencyCount += 1
        }
    }

    public func render() -> String {
        let process = ProcessStatistics.current()
        return state.withLock { state in
            var lines: [String] = []
            var typed: Set<String> = []
            func family(_ name: String) -> String { String(name.prefix { $0 != "{" }) }
            for (name, value) in state.counters.sorted(by: { $0.key < $1.key }) {
                if typed.insert(family(name)).inserted { lines.append("# TYPE \(family(name)) counter") }
                lines.append("\(name) \(format(value))")
            }
            for (name, value) in state.gauges.sorted(by: { $0.key < $1.key }) {
                if typed.insert(family(name)).inserted { lines.append("# TYPE \(family(name)) gauge") }
                lines.append("\(name) \(format(value))")
            }
            lines.append("# HELP talkshop_decode_latency_seconds End of speech to recognition result.")
            lines.append("# TYPE talkshop_decode_latency_seconds histogram")
            for (index, bound) in Self.latencyBuckets.enumerated() {
                lines.append("talkshop_decode_latency_seconds_bucket{le=\"\(format(bound))\"} \(state.latencyCounts[index])")
            }
            lines.append("talkshop_decode_latency_seconds_bucket{le=\"+Inf\"} \(state.latencyCount)")
            lines.append("talkshop_decode_latency_seconds_sum \(format(state.latencySum))")
            lines.append("talkshop_decode_latency_seconds_count \(state.latencyCount)")
            lines += process.prometheusLines
            return lines.joined(separator: "\n") + "\n"
        }
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
