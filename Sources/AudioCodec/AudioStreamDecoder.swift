/// Turns a device's audio byte stream, fed in chunks as it arrives, into 16 kHz mono PCM.
///
/// One implementation per wire format; the server picks one from the session's `start`
/// message. Decoders hold codec state, so one belongs to one stream.
public protocol AudioStreamDecoder {
    /// Decodes the next chunk of bytes (a WebSocket frame); returns the PCM it completed.
    mutating func decode(_ bytes: [UInt8]) throws(AudioCodecError) -> [Int16]
    /// Ends the stream: returns any buffered PCM, or fails if the stream stopped mid-unit.
    mutating func finish() throws(AudioCodecError) -> [Int16]
}

/// The sample rate every decoder produces and the recogniser consumes.
public let recognitionSampleRate = 16_000
