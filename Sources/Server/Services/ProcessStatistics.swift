import Foundation

/// This process's CPU time, resident memory and open descriptors, read from Linux /proc for
/// the standard Prometheus `process_*` metrics (the load benchmark samples them remotely)
/// and the CLI's own memory figures.
public struct ProcessStatistics: Sendable {
    public var cpuSeconds = 0.0
    public var residentBytes = 0
    public var openDescriptors = 0

    public static func current() -> ProcessStatistics {
        var statistics = ProcessStatistics()
        // Where /proc cannot be read (not Linux) the figures stay 0: metrics, not a failure.
        // /proc/self/stat: fields after the ")" closing the command name; utime and stime are
        // the 12th and 13th of those, in clock ticks.
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        {
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            if fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) {
                statistics.cpuSeconds = (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
            }
        }
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { statistics.residentBytes = pages * Int(sysconf(Int32(_SC_PAGESIZE))) }
        }
        statistics.openDescriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
        return statistics
    }

    var prometheusLines: [String] {
        [
            "# TYPE process_cpu_seconds_total counter", "process_cpu_seconds_total \(cpuSeconds)",
            "# TYPE process_resident_memory_bytes gauge", "process_resident_memory_bytes \(residentBytes)",
            "# TYPE process_open_fds gauge", "process_open_fds \(openDescriptors)",
        ]
    }
}
