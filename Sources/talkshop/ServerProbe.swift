import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reads the server's own figures from its `/metrics` page (CPU seconds, resident memory,
/// audio received), so the load benchmark can watch a server on another machine too. Behind a
/// proxy it reads every node's page and adds them up.
struct ServerProbe: Sendable {
    struct Sample: Sendable {
        var cpuSeconds: Double
        var residentBytes: Double
        var audioSeconds: Double
        var at: ContinuousClock.Instant
    }

    let metricsURLs: [URL]

    /// The nodes' pages, e.g. http://10.0.0.11:8080/metrics, when the voice URL is a proxy's.
    init(metrics: [String]) throws {
        metricsURLs = try metrics.map { text in
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                throw LoadFailure(description: "--metrics takes http(s)://host:port/metrics, not \(text)")
            }
            return url
        }
    }

    /// ws://host:port/v1/voice → http://host:port/metrics (wss → https).
    init(voiceURL: String) throws {
        guard var components = URLComponents(string: voiceURL), let scheme = components.scheme, scheme.hasPrefix("ws") else {
            throw LoadFailure(description: "--url must be a ws:// or wss:// address, not \(voiceURL)")
        }
        components.scheme = scheme == "wss" ? "https" : "http"
        components.path = "/metrics"
        components.query = nil
        metricsURLs = [components.url!]
    }

    /// The figures of all the pages, added up.
    func sample() async throws -> Sample {
        var total = Sample(cpuSeconds: 0, residentBytes: 0, audioSeconds: 0, at: .now)
        for url in metricsURLs {
            let one = try await sample(url)
            total.cpuSeconds += one.cpuSeconds
            total.residentBytes += one.residentBytes
            total.audioSeconds += one.audioSeconds
        }
        total.at = .now
        return total
    }

    private func sample(_ metricsURL: URL) async throws -> Sample {
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
