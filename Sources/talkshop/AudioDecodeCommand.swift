import ArgumentParser
import AudioCodec
import Foundation

struct AudioDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode a file to a 16 kHz mono 16-bit WAV, as the recogniser hears it.")

    @OptionGroup var raw: RawAudioOptions

    @Argument(help: "The audio file to decode.")
    var file: String

    @Option(name: .shortAndLong, help: "Where to write the WAV file.")
    var output: String

    func run() throws {
        let samples = try raw.load(file).decodeToRecognitionPCM()
        let wav = WAVFile.pcm16(samples: samples, sampleRate: recognitionSampleRate)
        guard FileManager.default.createFile(atPath: output, contents: Data(wav)) else {
            throw ValidationError("cannot write \(output)")
        }
        let seconds = Double(samples.count) / Double(recognitionSampleRate)
        print("wrote \(output): \(samples.count) samples, \(String(format: "%.3f", seconds)) s at 16 kHz mono")
    }
}
