import ArgumentParser
import AudioCodec
import Foundation
import Simulators
import VoiceProtocol

struct SayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "say",
        abstract: "A device simulator: stream audio files (and typed turns) to /v1/voice and print the events.",
        discussion: """
            Each file is one utterance: sent in real time (Ogg Opus as Opus packets, other
            formats as 16 kHz PCM), then end_of_speech, then the result is awaited. A turn
            written "text:…" is typed instead, in its place among the files.
              talkshop say --token tsk_… audio-fixtures/large-latte.opus "text:check out" audio-fixtures/yes.opus
              talkshop say --token tsk_… --text "a large latte with soy milk"
            Add --stay 40 to keep listening for order updates (preparing, out for delivery…).
            """)

    @Option(help: "Server WebSocket URL.")
    var url: String = "ws://127.0.0.1:8080/v1/voice"

    @Option(help: "Device token (printed by `talkshop serve` at first start, or `talkshop device add`).")
    var token: String

    @Option(help: "A typed turn, sent after the files (repeatable).")
    var text: [String] = []

    @Option(help: "Resume this conversation.")
    var conversation: String?

    @Flag(help: "Send audio as fast as possible instead of in real time.")
    var fast = false

    @Option(name: .customLong("repeat"), help: "Send the files this many times (a latency run).")
    var repeat_: Int = 1

    @Flag(help: "Print end-of-speech → result latency percentiles at the end.")
    var latency = false

    @OptionGroup var raw: RawAudioOptions

    @Option(help: "Seconds to stay connected after the last turn, printing order updates.")
    var stay: Double = 0

    @Argument(help: "Audio files, one utterance each, or typed turns written \"text:…\".")
    var files: [String] = []

    func validate() throws {
        guard !files.isEmpty || !text.isEmpty else { throw ValidationError("give audio files, text:… turns or --text") }
        guard stay >= 0 else { throw ValidationError("--stay must not be negative") }
    }

    /// One turn of the script: audio frames or typed words.
    enum Turn {
        case audio([(bytes: [UInt8], seconds: Double)])
        case typed(String)
    }

    func run() async throws {
        var steps: [VoiceClient.Step] = []
        var start = ClientMessage.Start(codec: .opus, sampleRate: 16_000, channels: 1, conversationId: conversation)
        var turns: [Turn] = []
        var codec: AudioCodecName?
        for path in files {
            if path.hasPrefix("text:") {
                turns.append(.typed(String(path.dropFirst(5))))
                continue
            }
            let (fileStart, frames) = try VoiceClient.frames(for: try raw.load(path))
            guard codec == nil || fileStart.codec == codec else {
                throw ValidationError("all files of one session must use one codec; convert \(path) or run it separately")
            }
            codec = fileStart.codec
            turns.append(.audio(frames))
        }
        start.codec = codec ?? .pcmS16le
        steps.append(.start(start))
        for _ in 0..<max(1, repeat_) {
            for turn in turns {
                switch turn {
                case .audio(let frames): steps += [.audio(frames), .endOfSpeech, .awaitResult]
                case .typed(let words): steps += [.text(words), .awaitResult]
                }
            }
        }
        for turn in text { steps += [.text(turn), .awaitResult] }
        if stay > 0 { steps.append(.pause(.milliseconds(Int(stay * 1_000)))) }
        steps.append(.stop)

        let client = VoiceClient(url: url, token: token, fast: fast)
        let (_, latencies) = try await client.runMeasured(steps) { event in
            if let line = try? VoiceProtocol.encoder.encode(event) { Console.line(String(decoding: line, as: UTF8.self)) }
        }
        if latency, !latencies.isEmpty {
            Console.line(LatencySummary.line("end of speech → result", latencies, unit: "utterances"))
        }
    }
}
