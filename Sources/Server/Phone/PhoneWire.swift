import Foundation
import Speech
import VoiceProtocol

/// What a phone bridge said, whatever its wire format.
enum PhoneInput: Equatable {
    case start(PhoneStart)
    /// Caller audio in the bridge's codec.
    case audio([UInt8])
    case dtmf(String)
    /// The bridge finished playing the audio sent before this mark (or dropped it on `clear`).
    case mark(String)
    case stop
    /// Nothing to act on (Twilio's `connected`, an outbound-track echo).
    case ignored
}

struct PhoneStart: Equatable {
    var callId: String
    /// The stream's custom parameters: `token` (the line), `caller`, or `customer` + `signature`.
    var parameters: [String: String]
    var codec: AudioCodecName
    var sampleRate: Int
}

/// Input a bridge must never send: the call is closed with this reason, nothing is placed.
struct PhoneWireError: Error, Equatable, CustomStringConvertible {
    var description: String
}

/// A frame to send to the bridge.
enum PhoneFrame: Equatable {
    case text(String)
    case binary([UInt8])
}

/// A bridge's framing: reads its messages and writes replies the way it expects them.
protocol PhoneWire: Sendable {
    /// The codec the bridge plays replies in.
    var replyCodec: ReplyCodec { get }
    /// Whether the bridge reports played audio with marks (else playback time is estimated).
    var reportsPlayback: Bool { get }

    mutating func read(text: String) throws(PhoneWireError) -> PhoneInput
    mutating func read(binary: [UInt8]) throws(PhoneWireError) -> PhoneInput
    func frames(for audio: ReplyAudio) -> [PhoneFrame]
    func mark(_ name: String) -> PhoneFrame?
    /// Drops the audio the bridge has queued (barge-in).
    func clear() -> PhoneFrame
}
