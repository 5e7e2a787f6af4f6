import ArgumentParser
import AudioCodec
import Foundation

struct AudioBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure decode speed: audio seconds decoded per CPU second.",
        discussion: """
            Reads every file into memory first, then decodes them all `--rounds` times to 16 kHz
            mono and reports the process CPU time spent decoding (user + system).
            Example: talkshop audio bench speech/coffee-dev/*.opus
            """)

    @OptionGroup var raw: RawAudioOptions

    @Option(help: "How many times to decode the whole set.")
    var rounds: Int = 3

    @Argument(help: "Audio files.")
    var files: [String]

    func validate() throws {
        guard rounds > 0 else { throw ValidationError("--rounds must be at least 1") }
        guard !files.isEmpty else { throw ValidationError("give at least one audio file") }
    }

    func run() throws {
        let audio = try files.map { try raw.load($0) }
        var samples = 0
        let cpuStart = CPUClock.processSeconds()
        let wallStart = Date()
        for round in 1...rounds {
            for file in audio { samples += try file.decodeToRecognitionPCM().count }
            FileHandle.standardError.write(Data("round \(round)/\(rounds) done\n".utf8))
        }
        let cpu = CPUClock.processSeconds() - cpuStart
        let wall = Date().timeIntervalSince(wallStart)
        let audioSeconds = Double(samples) / Double(recognitionSampleRate)
        print("files: \(files.count) × \(rounds) rounds")
        print(String(format: "audio decoded: %.1f s", audioSeconds))
        print(String(format: "CPU time: %.3f s (wall %.3f s)", cpu, wall))
        print(String(format: "speed: %.0f audio seconds per CPU second", audioSeconds / cpu))
    }
}
