/// How replies sound: an espeak-ng voice, its speed and pitch.
public struct Voice: Codable, Sendable, Hashable {
    /// An espeak-ng voice name, e.g. en-us, en-gb, en-us+f3.
    public var name: String
    public var wordsPerMinute: Int
    /// 0–99; espeak-ng's default is 50.
    public var pitch: Int

    public init(name: String = "en-us", wordsPerMinute: Int = 165, pitch: Int = 50) {
        self.name = name
        self.wordsPerMinute = wordsPerMinute
        self.pitch = pitch
    }
}

extension Voice {
    /// Keys missing from a configuration file keep their defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Voice()
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? defaults.name
        wordsPerMinute = try container.decodeIfPresent(Int.self, forKey: .wordsPerMinute) ?? defaults.wordsPerMinute
        pitch = try container.decodeIfPresent(Int.self, forKey: .pitch) ?? defaults.pitch
    }
}
