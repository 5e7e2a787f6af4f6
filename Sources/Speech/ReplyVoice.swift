import Foundation
import Synchronization

/// Speaks prompts for sessions: synthesizes with the shop's voice, encodes for the session's
/// codec, and caches the result (the same prompts recur in every conversation).
public final class ReplyVoice: Sendable {
    public let voice: Voice
    private let synthesizer: SpeechSynthesizer
    private let cache = Mutex(Cache())
    private let capacity: Int

    private struct Key: Hashable {
        var text: String
        var codec: ReplyCodec
    }

    private struct Cache {
        var entries: [Key: ReplyAudio] = [:]
        /// Oldest first, for eviction.
        var order: [Key] = []
    }

    public init(voice: Voice = Voice(), synthesizer: SpeechSynthesizer = .shared, capacity: Int = 512) {
        self.voice = voice
        self.synthesizer = synthesizer
        self.capacity = capacity
    }

    public func audio(for text: String, codec: ReplyCodec) async throws -> ReplyAudio {
        let key = Key(text: text, codec: codec)
        if let cached = cache.withLock({ $0.entries[key] }) { return cached }
        let samples = try await synthesizer.synthesize(Self.speakable(text), voice: voice)
        let audio = try ReplyAudio.encode(samples, as: codec)
        cache.withLock { cache in
            guard cache.entries.updateValue(audio, forKey: key) == nil else { return }
            cache.order.append(key)
            if cache.order.count > capacity { cache.entries[cache.order.removeFirst()] = nil }
        }
        return audio
    }

    public var cachedCount: Int { cache.withLock { $0.entries.count } }

    /// Written prompts read well but not always aloud: "USD 4.75" becomes "4 dollars 75".
    static func speakable(_ text: String) -> String {
        let names = ["USD": "dollars", "EUR": "euros", "GBP": "pounds"]
        var result = text
        for (code, word) in names {
            result = result.replacingOccurrences(of: "\(code) ([0-9]+)\\.([0-9]{2})", with: "$1 \(word) $2", options: .regularExpression)
        }
        return result.replacingOccurrences(of: " 00\\b", with: "", options: .regularExpression)
    }
}
