import ArgumentParser
import AudioCodec
import Foundation
import Server
import Simulators

struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "A phone caller simulator speaking Twilio's Media Streams protocol to /v1/twilio.",
        discussion: """
            Streams 8 kHz μ-law in paced 20 ms media frames for the whole call (silence between
            utterances), plays the server's audio in real time (echoing its marks), and writes
            what it heard to a WAV file. Each argument is a step, in order:
              FILE            speak it once the reply has finished (μ-law .ul as is; other formats converted)
              interrupt:FILE  speak it at once, over the reply (barge-in)
              dtmf:DIGITS     press keys once the reply has finished
            Example, a whole phone order (PIN by keypad):
              talkshop call --token tsk_… --caller +15551234567 audio-fixtures/large-latte.ul \\
                dtmf:1 dtmf:1 dtmf:1234 -o heard.wav
            """)

    @Option(help: "The server's Twilio endpoint.")
    var url: String = "ws://127.0.0.1:8080/v1/twilio"

    @Option(help: "The phone line's device token (`talkshop devices add --device-class phone`).")
    var token: String

    @Option(help: "The caller's number (E.164), as the TwiML passes {{From}}.")
    var caller: String?

    @Option(help: "Identify the caller as this customer with a signed parameter instead of a number.")
    var customer: String?

    @Option(help: "Keys to press after the other steps.")
    var dtmf: String?

    @Option(name: .customLong("repeat"), help: "Run the steps this many times in one call (a latency run).")
    var repeat_: Int = 1

    @Flag(help: "Print caller end of speech → first reply audio latency percentiles.")
    var latency = false

    @Option(name: .shortAndLong, help: "Write what the caller heard to this WAV file (8 kHz).")
    var output: String?

    @OptionGroup var raw: RawAudioOptions

    @Argument(help: "Steps: audio files, interrupt:FILE, dtmf:DIGITS.")
    var steps: [String] = []

    func validate() throws {
        guard !steps.isEmpty || dtmf != nil else { throw ValidationError("give at least one step (a file or dtmf:DIGITS)") }
        guard caller == nil || customer == nil else { throw ValidationError("give --caller or --customer, not both") }
    }

    func run() async throws {
        var script: [PhoneCaller.Step] = []
        for argument in steps {
            if argument.hasPrefix("dtmf:") {
                script.append(.dtmf(String(argument.dropFirst(5))))
            } else if argument.hasPrefix("interrupt:") {
                script.append(.interrupt(try muLaw(String(argument.dropFirst(10)))))
            } else {
                script.append(.speak(try muLaw(argument)))
            }
        }
        script = Array(repeating: script, count: max(1, repeat_)).flatMap { $0 }
        if let dtmf { script.append(.dtmf(dtmf)) }

        var caller = PhoneCaller(url: url, parameters: ["token": token])
        if let number = self.caller { caller.parameters["caller"] = number }
        if let customer {
            caller.parameters["customer"] = customer
            caller.parameters["signature"] = PhoneSignature.sign(customerId: customer, callId: caller.callSid, lineToken: token)
        }
        caller.log = { Console.line($0) }
        let outcome = try await caller.call(script)
        Console.line(String(
            format: "heard %.1f s of replies; %d clear (barge-in), %d marks echoed; call ended: %@",
            Double(outcome.heard.count) / 8_000, outcome.clears, outcome.marksEchoed, outcome.closeReason ?? "by the caller"))
        if let output {
            try Data(WAVFile.pcm16(samples: MuLaw.decode(outcome.heard), sampleRate: 8_000)).write(to: URL(fileURLWithPath: output))
            Console.line("wrote \(output)")
        }
        if latency, !outcome.replyLatencies.isEmpty {
            let perTurn = LatencySummary.milliseconds(outcome.replyLatencies).map { String(format: "%.0f", $0) }
            Console.line("per turn (ms): " + perTurn.joined(separator: " "))
            Console.line(LatencySummary.line("caller end of speech → first reply audio", outcome.replyLatencies, unit: "turns"))
        }
    }

    /// 8 kHz μ-law, as a phone line carries it.
    private func muLaw(_ path: String) throws -> [UInt8] {
        let file = try raw.load(path)
        if case .muLaw(8_000) = file.format { return file.bytes }
        var resampler = try Resampler(inputRate: 16_000, outputRate: 8_000)
        let samples = try file.decodeToRecognitionPCM()
        return MuLaw.encode(resampler.process(samples) + resampler.flush())
    }
}
