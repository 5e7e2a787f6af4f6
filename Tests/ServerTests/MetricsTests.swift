import Foundation
import Server
import Testing

/// `/metrics` keeps its names and labels through swift-metrics and swift-prometheus, so
/// dashboards written against the hand-made registry keep working.
struct MetricsTests {
    @Test func countersGaugesAndTheLatencyHistogramKeepTheirNamesAndLabels() {
        let metrics = Metrics()
        metrics.increment(.rejections, label: "no_match")
        metrics.increment(.rejections, label: "no_match")
        metrics.increment(.errors, label: "bad_audio")
        metrics.increment(.audioSeconds, by: 1.5)
        metrics.increment(.audioSeconds, by: 2)
        metrics.adjust(.sessionsOpen, by: 2)
        metrics.adjust(.sessionsOpen, by: -1)
        metrics.recordDecodeLatency(seconds: 0.04)
        metrics.recordDecodeLatency(seconds: 3)

        let lines = Set(metrics.render().split(separator: "\n").map(String.init))

        for expected in [
            #"talkshop_rejections_total{reason="no_match"} 2"#, #"talkshop_errors_total{code="bad_audio"} 1"#,
            "talkshop_audio_seconds_total 3.5", "talkshop_sessions_open 1.0", "# TYPE talkshop_rejections_total counter",
            "# TYPE talkshop_sessions_open gauge", "# TYPE talkshop_decode_latency_seconds histogram",
            #"talkshop_decode_latency_seconds_bucket{le="0.025"} 0"#, #"talkshop_decode_latency_seconds_bucket{le="0.05"} 1"#,
            #"talkshop_decode_latency_seconds_bucket{le="2.0"} 1"#, #"talkshop_decode_latency_seconds_bucket{le="5.0"} 2"#,
            #"talkshop_decode_latency_seconds_bucket{le="+Inf"} 2"#, "talkshop_decode_latency_seconds_count 2",
        ] {
            #expect(lines.contains(expected), "\(expected) is missing from\n\(lines.sorted().joined(separator: "\n"))")
        }
        #expect(lines.contains { $0.hasPrefix("process_cpu_seconds_total ") })
        #expect(metrics.value(of: .rejections, label: "no_match") == 2 && metrics.value(of: .sessionsOpen) == 1)
        #expect(metrics.value(of: .rejections, label: "low_confidence") == 0, "a sample not yet counted reads as zero")
    }

    @Test func twoServersInOneProcessCountApart() {
        let first = Metrics(), second = Metrics()
        first.increment(.orders)
        #expect(first.value(of: .orders) == 1 && second.value(of: .orders) == 0)
    }
}
