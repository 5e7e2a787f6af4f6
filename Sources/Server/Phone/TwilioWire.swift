import Foundation
import Speech

/// Twilio Media Streams, bidirectional (`<Connect><Stream>`): JSON text frames only.
/// In: `connected`, `start`, `media` (base64 μ-law 8 kHz), `dtmf`, `mark`, `stop`.
/// Out: `media`, `mark`, `clear`, each with the stream's `streamSid`.
/// https://www.twilio.com/docs/voice/media-streams/websocket-messages
struct TwilioWire: PhoneWire {
    private(set) var streamSid: String?

    var replyCodec: ReplyCodec { .mulaw }
    var reportsPlayback: Bool { true }

    struct Message: Decodable {
        var event: String
        var streamSid: String?
        var start: Start?
        var media: Media?
        var dtmf: DTMF?
        var mark: Mark?

        struct Start: Decodable {
            var streamSid: String
            var accountSid: String?
            var callSid: String
            var tracks: [String]?
            var customParameters: [String: String]?
            var mediaFormat: MediaFormat
        }

        struct MediaFormat: Decodable {
            var encoding: String
            var sampleRate: Int
            var channels: Int
        }

        struct Media: Decodable {
            var track: String?
            var chunk: String?
            var timestamp: String?
            var payload: String
        }

        struct DTMF: Decodable {
            var track: String?
            var digit: String
        }

        struct Mark: Decodable {
            var name: String
        }
    }

    mutating func read(text: String) throws(PhoneWireError) -> PhoneInput {
        let message: Message
        do { message = try JSONDecoder().decode(Message.self, from: Data(text.utf8)) } catch {
            throw PhoneWireError(description: "not a Media Streams message: \(DecodingProblem.describe(error, in: Data(text.utf8)))")
        }
        switch message.event {
        case "connected": return .ignored
        case "start":
            guard streamSid == nil else { throw PhoneWireError(description: "a second start on one stream") }
            guard let start = message.start else { throw PhoneWireError(description: "start without its start object") }
            let format = start.mediaFormat
            guard format.encoding == "audio/x-mulaw", format.sampleRate == 8_000, format.channels == 1 else {
                throw PhoneWireError(description: "unsupported mediaFormat \(format.encoding) \(format.sampleRate) Hz × \(format.channels); Twilio sends audio/x-mulaw 8000 Hz mono")
            }
            streamSid = start.streamSid
            return .start(PhoneStart(callId: start.callSid, parameters: start.customParameters ?? [:], codec: .mulaw, sampleRate: 8_000))
        case "media", "dtmf", "mark", "stop":
            guard let streamSid else { throw PhoneWireError(description: "\(message.event) before start") }
            guard message.streamSid == streamSid else {
                throw PhoneWireError(description: "\(message.event) for stream \(message.streamSid ?? "(none)"), not \(streamSid)")
            }
        default:
            throw PhoneWireError(description: "unknown event '\(message.event)'")
        }
        switch message.event {
        case "media":
            guard let media = message.media else { throw PhoneWireError(description: "media without its media object") }
            if let track = media.track, track != "inbound" { return .ignored }
            guard let bytes = Data(base64Encoded: media.payload) else { throw PhoneWireError(description: "media payload is not base64") }
            return .audio([UInt8](bytes))
        case "dtmf":
            guard let digit = message.dtmf?.digit, digit.count == 1, "0123456789*#".contains(digit) else {
                throw PhoneWireError(description: "dtmf without a digit 0-9, * or #")
            }
            return .dtmf(digit)
        case "mark":
            guard let name = message.mark?.name else { throw PhoneWireError(description: "mark without a name") }
            return .mark(name)
        default:
            return .stop
        }
    }

    func read(binary: [UInt8]) throws(PhoneWireError) -> PhoneInput {
        throw PhoneWireError(description: "Media Streams sends JSON text frames, not binary")
    }

    func frames(for audio: ReplyAudio) -> [PhoneFrame] {
        // Five 20 ms frames per message: fine-grained enough for `clear`, a fifth of the messages.
        stride(from: 0, to: audio.frames.count, by: 5).map { start in
            let payload = Data(audio.frames[start..<min(start + 5, audio.frames.count)].joined()).base64EncodedString()
            return Self.json(["event": "media", "streamSid": streamSid ?? "", "media": ["payload": payload]])
        }
    }

    func mark(_ name: String) -> PhoneFrame? {
        Self.json(["event": "mark", "streamSid": streamSid ?? "", "mark": ["name": name]])
    }

    func clear() -> PhoneFrame {
        Self.json(["event": "clear", "streamSid": streamSid ?? ""])
    }

    private static func json(_ object: [String: Any]) -> PhoneFrame {
        // Strings and dictionaries of strings only: this cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return .text(String(decoding: data, as: UTF8.self))
    }
}
