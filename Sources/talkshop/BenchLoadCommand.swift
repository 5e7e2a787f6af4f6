import ArgumentParser
import Benchmarks
import Foundation
import Server

struct BenchLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Concurrent real-time device sessions against a running server: latency, errors, accuracy, server CPU and memory.",
        discussion: """
            Each stream is one /v1/voice session that speaks the recordings in real time as 20 ms
            Opus packets, sends end_of_speech where the words end (as a speaker's own endpointer
            does), waits for the result, pauses 2–4 s (the reply
            being spoken, the customer reacting) and speaks again. Latency is end_of_speech →
            intent or rejection (HdrHistogram). Server CPU and memory come from the server's
            /metrics. A step holds when it has no errors, p99 within --p99-bound, every stream kept
            real time (no packet more than --lag-bound late) and the server received all audio sent.

            The server must allow the sessions: start it with the limits in bench/load-server.yaml
            (docs/performance.md). Examples:
              talkshop bench load --token T --streams 60 --duration 60s speech/coffee-dev
              talkshop bench load --token T --ramp --from 20 --step 20 --duration 30s speech/coffee-dev
              talkshop bench load --token T --idle 1000 --streams 10 --duration 20s speech/coffee-dev
            """)

    @Option(help: "The server's voice endpoint.")
    var url = "ws://127.0.0.1:8080/v1/voice"

    @Option(help: "Behind a proxy: each node's /metrics page (http://host:port/metrics), repeated; their CPU, memory and audio received are added up. Default: the page beside --url.")
    var metrics: [String] = []

    @Option(help: "A device token (talkshop devices add, or the demo token printed at first start).")
    var token: String

    @Option(help: "Concurrent streams (without --ramp).")
    var streams = 10

    @Option(help: "How long each step runs: 60s, 2m or plain seconds.")
    var duration = "60s"

    @Option(help: "Pause after each answer before the stream speaks again, in seconds: MIN-MAX (a spoken reply plays, the customer reacts).")
    var pause = "2-4"

    @Option(help: "labels.json ({file: {intent, slots}}) for accuracy; default: labels.json in the first directory given.")
    var labels: String?

    @Flag(inversion: .prefixedNo, help: "First speak every labelled recording once on one stream, unpaced, as the unloaded reference for accuracy.")
    var reference = true

    @Option(help: "Idle sessions (started, silent) to hold open during the run; their memory is reported.")
    var idle = 0

    @Flag(help: "Increase the streams step by step until a step fails; print the largest count that held.")
    var ramp = false

    @Option(help: "First stream count of a ramp.")
    var from = 20

    @Option(help: "Streams added per ramp step.")
    var step = 20

    @Option(name: .customLong("max"), help: "Largest stream count a ramp tries.")
    var maxStreams = 200

    @Option(help: "A step holds only with end_of_speech → result p99 at most this many milliseconds.")
    var p99Bound = 300.0

    @Option(help: "A stream keeps real time when no packet goes out more than this many milliseconds late.")
    var lagBound = 200.0

    @Option(help: "Seed for the pauses (runs with the same seed pause the same way).")
    var seed: UInt64 = 1

    @Option(help: "Also write the utterances as spoken (16 kHz WAV + utterances.ctl) to this directory, e.g. for pocketsphinx_batch.")
    var saveUtterances: String?

    @OptionGroup var raw: RawAudioOptions

    @Argument(help: "Recordings, or directories of them.")
    var paths: [String] = ["speech/coffee-dev"]

    func validate() throws {
        guard streams > 0, from > 0, step > 0, maxStreams >= from else { throw ValidationError("stream counts must be positive, --max at least --from") }
        guard idle >= 0 else { throw ValidationError("--idle must not be negative") }
        _ = try LoadPlan.seconds(duration)
        _ = try LoadPlan.range(pause)
    }

    func run() async throws {
        OpenFileLimit.raise()
        let files = try AudioFiles.expand(paths)
        let labelled = try LoadPlan.labels(labels, paths: paths)
        let utterances = try LoadUtterance.load(files, raw: raw, labels: labelled)
        let speech = utterances.reduce(0) { $0 + $1.seconds }
        Console.line(String(format: "%d recordings, %.1f s of speech (cut %.2f s after the last loud frame)", utterances.count, speech, LoadUtterance.tailSeconds))
        if let saveUtterances {
            try LoadUtterance.save(utterances, to: saveUtterances)
            Console.line("wrote \(utterances.count) utterances and utterances.ctl to \(saveUtterances)")
        }
        var plan = LoadPlan(
            url: url, token: token, utterances: utterances, duration: try LoadPlan.seconds(duration), pauses: try LoadPlan.range(pause),
            p99BoundMilliseconds: p99Bound, lagBoundMilliseconds: lagBound, seed: seed, probe: try metrics.isEmpty ? ServerProbe(voiceURL: url) : ServerProbe(metrics: metrics))

        if reference && !labelled.isEmpty {
            plan.reference = try await LoadStep.reference(plan)
            let right = plan.reference.values.filter { $0 }.count
            Console.line(String(format: "unloaded reference (one stream, unpaced): %d/%d correct (%.1f%%)", right, plan.reference.count, Double(right) / Double(max(1, plan.reference.count)) * 100))
        }

        let idleSessions = idle > 0 ? try await IdleSessions.open(idle, plan: plan) : nil
        defer { idleSessions?.close() }

        var results: [LoadStep.Result] = []
        for count in ramp ? Array(stride(from: from, through: maxStreams, by: step)) : [streams] {
            let result = try await LoadStep(plan: plan, streams: count).run()
            results.append(result)
            Console.line(result.summary)
            if ramp && !result.held { break }
        }
        print("")
        print(LoadStep.Result.table(results))
        if let idleSessions { print(idleSessions.summary) }
        if ramp {
            let held = results.last(where: \.held)
            print(held.map { "largest stream count that held: \($0.streams)" } ?? "no step held (first step: \(from) streams)")
            if let failed = results.last, !failed.held { print("first failing step, \(failed.streams) streams: \(failed.failures.joined(separator: "; "))") }
        }
        guard results.allSatisfy(\.held) || ramp else { throw ExitCode(1) }
    }
}
