

/// News every `interval`, whether or not anything was written.
public struct PollingOrderNews: OrderNews {
    public var interval: Duration

    public init(every interval: Duration) { self.interval = interval }

    public func listen(ready: @Sendable () async -> Void, onNotice: @Sendable (Int64) async -> Void) async throws {
        await ready()
        while !Task.isCancelled {
            try await Task.sleep(for: interval)
            await onNotice(0)
        }
    }
}
