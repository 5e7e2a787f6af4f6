import Foundation

/// Spots a broadcast: the same words heard from several different customers within seconds
/// (a TV or radio advert saying "order a large latte"). Those customers' ordering is paused
/// for a while. Pure: the caller supplies the clock and shares one detector between sessions.
public struct BroadcastDetector: Sendable {
    public struct Settings: Sendable, Equatable, Codable {
        /// Distinct customers saying the same words that make it a broadcast.
        public var customers = 3
        /// Within this many seconds of each other.
        public var windowSeconds = 30.0
        /// How long ordering stays paused for those customers.
        public var suppressSeconds = 300.0

        public init() {}

        public init(from decoder: any Decoder) throws {
            let defaults = Settings()
            let container = try decoder.container(keyedBy: CodingKeys.self)
            customers = try container.decodeIfPresent(Int.self, forKey: .customers) ?? defaults.customers
            windowSeconds = try container.decodeIfPresent(Double.self, forKey: .windowSeconds) ?? defaults.windowSeconds
            suppressSeconds = try container.decodeIfPresent(Double.self, forKey: .suppressSeconds) ?? defaults.suppressSeconds
        }
    }

    public let settings: Settings
    private var heard: [String: [(customer: String, at: Date)]] = [:]
    private var suppressedUntil: [String: Date] = [:]

    public init(settings: Settings = Settings()) { self.settings = settings }

    /// Records words heard from a customer; returns the customers newly paused if these
    /// words just became a broadcast (empty otherwise).
    public mutating func record(transcript: String, customer: String, at now: Date) -> Set<String> {
        forget(before: now.addingTimeInterval(-settings.windowSeconds))
        let key = transcript.lowercased().split(separator: " ").joined(separator: " ")
        guard !key.isEmpty else { return [] }
        heard[key, default: []].append((customer, now))
        let customers = Set(heard[key]!.map(\.customer))
        guard customers.count >= settings.customers else { return [] }
        let newlyPaused = customers.filter { !isSuppressed($0, at: now) }
        for customer in customers { suppressedUntil[customer] = now.addingTimeInterval(settings.suppressSeconds) }
        return newlyPaused
    }

    public func isSuppressed(_ customer: String, at now: Date) -> Bool {
        suppressedUntil[customer].map { now < $0 } ?? false
    }

    private mutating func forget(before cutoff: Date) {
        for (key, entries) in heard {
            let kept = entries.filter { $0.at >= cutoff }
            heard[key] = kept.isEmpty ? nil : kept
        }
        suppressedUntil = suppressedUntil.filter { $0.value > cutoff }
    }
}
