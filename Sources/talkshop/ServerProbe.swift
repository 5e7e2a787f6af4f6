import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reads the server's own figures from its `/metrics` page (CPU seconds, resident memory,
/// audio received), so the load benchmark can watch a server on another machine too.
struct ServerProbe: Sendable {
    struct Sample: Sendable {
        var cpuSeconds: Double
        var residentBytes: Double
        var audioSeconds: Double
        var at: ContinuousClock.Instant
    }

    let metricsURL: URL

    /// ws://host:port/v1/voice → http://host:port/metrics (wss → https).
    init(voiceURL: String) throws {
        guard var components = URLComponents(string: voiceURL), let scheme = components.scheme, scheme.hasPrefix("ws") else {
            throw LoadFailure(description: "--url must be a ws:// or wss:// address, not \(voiceURL)")
        }
        components.scheme = scheme == "wss" ? "https" : "http"
        components.path = "/metrics"
        components.query = nil
        metricsURL = components.url!
    }

    func sample() async throws -> Sample {
        let data: Data, response: URLResponse
        do { (data, response) = try await URLSession.shared.data(from: metricsURL) } catch {
            throw LoadFailure(description: "cannot read the server's figures at \(metricsURL): \(error.localizedDescription)")
        }
        guard (response as? HTTPURLResponse)?.statusCode == 200 else {
            throw LoadFailure(description: "\(metricsURL) answered \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        var values: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let value = Double(parts[1]) { values[String(parts[0])] = value }
        }
        guard let cpu = values["process_cpu_seconds_total"], let rss = values["process_resident_memory_bytes"] else {
            throw LoadFailure(description: "\(metricsURL) has no process_cpu_seconds_total / process_resident_memory_bytes")
        }
        return Sample(cpuSeconds: cpu, residentBytes: rss, audioSeconds: values["talkshop_audio_seconds_total"] ?? 0, at: .now)
    }
}
