import ArgumentParser
import AudioCodec
import Benchmarks
import Foundation

/// How to read headerless audio files, shared by the `audio` subcommands.
struct RawAudioOptions: ParsableArguments {
    @Option(help: "Sample rate of headerless input (default: 8000 for μ-law, 16000 for L16).")
    var rate: Int?

    @Option(help: "Channels of headerless L16 input.")
    var channels: Int = 1

    @Option(help: "Byte order of headerless L16 input: le or be.")
    var byteOrder: String = "le"

    func load(_ path: String) throws -> AudioFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path)")
        }
        guard let order = PCM16.ByteOrder(rawValue: byteOrder) else {
            throw ValidationError("--byte-order must be le or be, not \(byteOrder)")
        }
        let bytes = [UInt8](data)
        let format = try AudioFormat.detect(
            header: bytes.prefix(4), fileExtension: URL(fileURLWithPath: path).pathExtension,
            rawSampleRate: rate, rawChannels: channels, rawByteOrder: order)
        return AudioFile(bytes: bytes, format: format)
    }

    /// `--noise pink,music,hum.wav` as noise kinds: the named ones, and audio files for anything else.
    func noiseKinds(_ list: String) throws -> [NoiseKind] {
        try list.split(separator: ",").map { part in
            let name = part.trimmingCharacters(in: .whitespaces)
            return try NoiseKind(named: name)
                ?? .recording(name: URL(fileURLWithPath: name).lastPathComponent, samples: load(name).decodeToRecognitionPCM())
        }
    }
}
