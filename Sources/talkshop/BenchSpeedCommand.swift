import ArgumentParser
import Benchmarks
import Foundation
import FrontEnd
import Recognition
import Server

struct BenchSpeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "speed",
        abstract: "CPU seconds per audio second and decodes per second, through the streaming path.",
        discussion: """
            Audio is decoded to PCM first (not timed), then every file is streamed through the
            endpointer and recogniser with one decoder, so the figure is per core. Then each
            denoiser of the front end runs alone over the same audio, denoising all of it (as in
            a noisy room): its CPU per audio second, and what starting one costs.
            Example: talkshop bench speed --grammar coffee speech/coffee-dev
            """)

    @OptionGroup var recognition: RecognitionOptions
    @OptionGroup var raw: RawAudioOptions

    @Argument(help: "Files or directories of command recordings.")
    var paths: [String] = ["speech/coffee-dev"]

    func run() async throws {
        let files = try AudioFiles.expand(paths)
        // Memory per pooled decoder: resident size before and after loading four.
        var options = recognition
        options.poolSize = 4
        let memoryProbe = try options.makeRecognizer()
        let before = ProcessStatistics.current().residentBytes
        try await memoryProbe.pool.warmUp()
        let perDecoder = Double(ProcessStatistics.current().residentBytes - before) / 4

        options.poolSize = 1
        let recognizer = try options.makeRecognizer()
        try await recognizer.pool.warmUp()
        let audio = try files.map { try raw.load($0).decodeToRecognitionPCM() }
        let audioSeconds = Double(audio.reduce(0) { $0 + $1.count }) / 16_000
        let cpuStart = CPUClock.processSeconds()
        let wallStart = Date()
        for (index, samples) in audio.enumerated() {
            _ = try await StreamRecognition.firstUtterance(
                samples, recognizer: recognizer, state: recognition.state, endpointing: recognition.endpointing, frontEnd: recognition.frontEnd)
            Progress.report(index + 1, of: audio.count, "files")
        }
        let cpu = CPUClock.processSeconds() - cpuStart
        let wall = Date().timeIntervalSince(wallStart)
        print(String(format: "audio: %.1f s in %d files", audioSeconds, audio.count))
        print(String(format: "CPU: %.2f s (wall %.2f s)", cpu, wall))
        print(String(format: "CPU seconds per audio second: %.4f", cpu / audioSeconds))
        print(String(format: "decodes per CPU second: %.1f", Double(audio.count) / cpu))
        print(String(format: "memory per pooled decoder: %.1f MB", perDecoder / 1_048_576))
        for kind in DenoiserKind.allCases where kind != .off {
            try await frontEndSpeed(kind, audio: audio, audioSeconds: audioSeconds)
        }
    }

    /// One denoiser, engaged from the start, over all the audio in 20 ms chunks; and four
    /// started at once for the cost of starting one.
    private func frontEndSpeed(_ kind: DenoiserKind, audio: [[Int16]], audioSeconds: Double) async throws {
        var configuration = recognition.frontEnd
        configuration.denoiser = kind
        configuration.engageAboveDecibels = -200  // denoise whatever the room, and never stop
        configuration.releaseBelowDecibels = -300
        let memoryBefore = ProcessStatistics.current().residentBytes, startBefore = CPUClock.processSeconds()
        let started = (0..<4).map { _ in AudioFrontEnd(configuration: configuration) }
        for frontEnd in started { _ = try await frontEnd.process([Int16](repeating: 0, count: 3_200), mayChange: true) }
        let startCPU = (CPUClock.processSeconds() - startBefore) / 4
        let memory = Double(ProcessStatistics.current().residentBytes - memoryBefore) / 4

        let frontEnd = AudioFrontEnd(configuration: configuration)
        let cpuStart = CPUClock.processSeconds()
        for samples in audio { _ = try await frontEnd.processWhole(samples) }
        let cpu = CPUClock.processSeconds() - cpuStart
        print(String(
            format: "front end, %@ (resampling included): %.4f CPU s per audio s; starting one: %.3f CPU s, %.1f MB",
            kind.rawValue, cpu / audioSeconds, startCPU, memory / 1_048_576))
        withExtendedLifetime(started) {}
    }
}
