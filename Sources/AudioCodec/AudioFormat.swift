/// The audio formats Talkshop reads from files and streams.
public enum AudioFormat: Sendable, Equatable, CustomStringConvertible {
    case oggOpus
    case wav
    /// Headerless G.711 μ-law (`.ul`, `.ulaw`, `.mulaw`), 8 kHz unless told otherwise.
    case muLaw(sampleRate: Int)
    /// Headerless signed 16-bit PCM (`.raw`, `.l16`, `.pcm`).
    case linear16(sampleRate: Int, channels: Int, byteOrder: PCM16.ByteOrder)

    public var description: String {
        switch self {
        case .oggOpus: "ogg-opus"
        case .wav: "wav"
        case .muLaw: "mulaw"
        case .linear16: "l16"
        }
    }

    /// Identifies a file by its first bytes, falling back to its extension for headerless
    /// formats. `rawSampleRate` and friends describe headerless input.
    public static func detect(
        header: some Collection<UInt8>, fileExtension: String,
        rawSampleRate: Int? = nil, rawChannels: Int = 1, rawByteOrder: PCM16.ByteOrder = .littleEndian
    ) throws(AudioCodecError) -> AudioFormat {
        if header.starts(with: Array("OggS".utf8)) { return .oggOpus }
        if header.starts(with: Array("RIFF".utf8)) { return .wav }
        switch fileExtension.lowercased() {
        case "ul", "ulaw", "mulaw", "mu":
            return .muLaw(sampleRate: rawSampleRate ?? 8_000)
        case "raw", "l16", "pcm", "s16":
            return .linear16(sampleRate: rawSampleRate ?? 16_000, channels: rawChannels, byteOrder: rawByteOrder)
        default:
            throw .unknownFormat(
                "neither Ogg nor WAV by content, and '.\(fileExtension)' is not a raw audio extension (.ul, .mulaw, .raw, .l16)")
        }
    }
}
