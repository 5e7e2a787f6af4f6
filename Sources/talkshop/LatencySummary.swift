import Foundation

/// Latency percentiles as `say` and `call` print them.
enum LatencySummary {
    static func milliseconds(_ durations: [Duration]) -> [Double] {
        durations.map { $0.seconds * 1_000 }
    }

    /// "<what>, N <units>: p50 … ms, p90 … ms, p99 … ms, max … ms" (nearest-rank percentiles).
    static func line(_ what: String, _ durations: [Duration], unit: String) -> String {
        let sorted = milliseconds(durations).sorted()
        func percentile(_ p: Double) -> Double { sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)] }
        return String(
            format: "%@, %d %@: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms, max %.0f ms", what, sorted.count, unit, percentile(0.5),
            percentile(0.9), percentile(0.99), sorted.last!)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
