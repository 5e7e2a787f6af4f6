import Foundation
import Speech

/// Generic telephony gateways (Vonage's WebSocket connection, FreeSWITCH audio-stream
/// modules): a JSON header frame first, then raw L16 16 kHz mono binary frames both ways.
/// The header carries `content-type: audio/l16;rate=16000` and the call's parameters (`token`,
/// `caller` or `customer` + `signature`, optional `uuid`); later text frames may be
/// `{"event": "websocket:dtmf", "digit": "1"}` or `{"event": "stop"}`. Barge-in sends
/// `{"event": "clear"}`.
struct L16Wire: PhoneWire {
    private var started = false

    var replyCodec: ReplyCodec { .l16 }
    var reportsPlayback: Bool { false }

    mutating func read(text: String) throws(PhoneWireError) -> PhoneInput {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
            throw PhoneWireError(description: "text frames must be JSON objects")
        }
        guard started else { return try header(object) }
        switch object["event"] as? String {
        case "websocket:dtmf", "dtmf":
            guard let digit = object["digit"] as? String ?? (object["digit"] as? Int).map(String.init), digit.count == 1,
                "0123456789*#".contains(digit)
            else { throw PhoneWireError(description: "dtmf without a digit 0-9, * or #") }
            return .dtmf(digit)
        case "stop", "websocket:disconnected": return .stop
        case let event: throw PhoneWireError(description: "unknown event '\(event ?? "(none)")'")
        }
    }

    private mutating func header(_ object: [String: Any]) throws(PhoneWireError) -> PhoneInput {
        let contentType = (object["content-type"] as? String)?.replacingOccurrences(of: " ", with: "").lowercased()
        guard contentType == "audio/l16;rate=16000" else {
            throw PhoneWireError(description: "the first frame must be a JSON header with \"content-type\": \"audio/l16;rate=16000\"")
        }
        started = true
        var parameters: [String: String] = [:]
        for (key, value) in object { if let text = value as? String { parameters[key] = text } }
        return .start(PhoneStart(callId: parameters["uuid"] ?? UUID().uuidString, parameters: parameters, codec: .pcmS16le, sampleRate: 16_000))
    }

    func read(binary: [UInt8]) throws(PhoneWireError) -> PhoneInput {
        guard started else { throw PhoneWireError(description: "audio before the JSON header frame") }
        guard binary.count % 2 == 0 else { throw PhoneWireError(description: "L16 frames hold whole 16-bit samples; got \(binary.count) bytes") }
        return .audio(binary)
    }

    func frames(for audio: ReplyAudio) -> [PhoneFrame] { audio.frames.map { .binary($0) } }

    func mark(_ name: String) -> PhoneFrame? { nil }

    func clear() -> PhoneFrame { .text(#"{"event":"clear"}"#) }
}
