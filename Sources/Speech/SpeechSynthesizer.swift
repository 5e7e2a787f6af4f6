import AudioCodec
import CEspeakNG
import Foundation

/// Text to speech with libespeak-ng, as 16 kHz mono PCM.
///
/// espeak-ng's voice source carries its phase from one text to the next, so the same text
/// can come out a few samples different from call to call; `ReplyVoice` caches the first
/// rendering, so within a server each prompt always sounds the same.
///
/// espeak-ng keeps global state and is not thread-safe, so there is one synthesizer per
/// process and every call runs on its own serial queue: off the event loop and off Swift's
/// cooperative pool, whose few threads must never block on a C library.
public final class SpeechSynthesizer: @unchecked Sendable {
    public enum Failure: Error, Equatable, CustomStringConvertible {
        case unavailable(String)
        case unknownVoice(String)
        case synthesis(String)

        public var description: String {
            switch self {
            case .unavailable(let why): "speech synthesis is unavailable: \(why)"
            case .unknownVoice(let name): "espeak-ng has no voice '\(name)' (see `espeak-ng --voices`)"
            case .synthesis(let why): "speech synthesis failed: \(why)"
            }
        }
    }

    public static let shared = SpeechSynthesizer()

    /// Everything below is touched only on `queue`.
    private let queue = DispatchQueue(label: "talkshop.speech-synthesis")
    private var nativeRate: Int32 = 0

    private init() {}

    /// Speaks `text` with `voice`; returns 16 kHz mono samples.
    public func synthesize(_ text: String, voice: Voice) async throws -> [Int16] {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try self.synthesizeOnQueue(text, voice: voice) }) }
        }
    }

    private func synthesizeOnQueue(_ text: String, voice: Voice) throws -> [Int16] {
        if nativeRate == 0 {
            let rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 200, nil, 0)
            guard rate > 0 else { throw Failure.unavailable("espeak-ng could not start; is espeak-ng-data installed?") }
            nativeRate = rate
            espeak_SetSynthCallback(collectSamples)
        }
        guard espeak_SetVoiceByName(voice.name) == EE_OK else { throw Failure.unknownVoice(voice.name) }
        espeak_SetParameter(espeakRATE, Int32(voice.wordsPerMinute), 0)
        espeak_SetParameter(espeakPITCH, Int32(voice.pitch), 0)
        synthesizedSamples = []
        let status = text.withCString { pointer in
            espeak_Synth(pointer, strlen(pointer) + 1, 0, POS_CHARACTER, 0, UInt32(espeakCHARS_UTF8), nil, nil)
        }
        guard status == EE_OK else { throw Failure.synthesis("espeak_Synth returned \(status.rawValue)") }
        let samples = synthesizedSamples
        synthesizedSamples = []
        var resampler = try Resampler(inputRate: Int(nativeRate), outputRate: recognitionSampleRate)
        return resampler.process(samples) + resampler.flush()
    }
}

/// Filled by `collectSamples` during `espeak_Synth`; only touched on the synthesizer's queue.
nonisolated(unsafe) private var synthesizedSamples: [Int16] = []

/// espeak-ng's callback: a C function, so it cannot capture; it appends to the buffer above.
private let collectSamples: @convention(c) (UnsafeMutablePointer<Int16>?, Int32, UnsafeMutablePointer<espeak_EVENT>?) -> Int32 = {
    wav, count, _ in
    if let wav, count > 0 { synthesizedSamples.append(contentsOf: UnsafeBufferPointer(start: wav, count: Int(count))) }
    return 0
}
