import ArgumentParser
import AudioCodec
import Foundation

struct AudioInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print codec, sample rate, channels, duration and packet count, without decoding.")

    @OptionGroup var raw: RawAudioOptions

    @Argument(help: "Audio files.")
    var files: [String]

    func run() throws {
        for path in files {
            let info = try raw.load(path).info()
            var lines = [
                "file: \(path)",
                "format: \(info.format)",
                "codec: \(info.codec)",
                "sample rate: \(info.sampleRate) Hz",
                "channels: \(info.channels)",
                "duration: \(String(format: "%.3f", info.durationSeconds)) s",
            ]
            if let packets = info.packets { lines.append("packets: \(packets)") }
            if let preSkip = info.preSkip { lines.append("pre-skip: \(preSkip) samples at 48 kHz") }
            print(lines.joined(separator: "\n"))
            if path != files.last { print("") }
        }
    }
}
