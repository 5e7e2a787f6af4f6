import AudioCodec
import Speech
import VoiceProtocol

extension ClientMessage.Start {
    /// The decoder for the audio this start message announces.
    func streamDecoder(maxPacketBytes: Int) throws(AudioCodecError) -> any AudioStreamDecoder {
        switch codec {
        case .opus:
            return try OpusPacketStreamDecoder(maxPacketBytes: maxPacketBytes)
        case .oggOpus:
            return try OggOpusStreamDecoder()
        case .pcmS16le:
            return try PCMStreamDecoder(encoding: .linear16(.littleEndian), sampleRate: sampleRate ?? 16_000, channels: channels ?? 1)
        case .mulaw:
            return try PCMStreamDecoder(encoding: .muLaw, sampleRate: sampleRate ?? 8_000, channels: channels ?? 1)
        }
    }

    /// The codec spoken replies are sent in, when asked for: the one asked for, else the
    /// device's own.
    var spokenReplyCodec: ReplyCodec? {
        guard replies == "audio" else { return nil }
        return switch replyCodec ?? codec {
        case .opus, .oggOpus: .opus
        case .mulaw: .mulaw
        case .pcmS16le: .l16
        }
    }
}
