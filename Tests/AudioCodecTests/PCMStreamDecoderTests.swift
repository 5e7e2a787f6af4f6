import Testing

@testable import AudioCodec

struct PCMStreamDecoderTests {
    @Test func muLawRoundTripStaysWithinQuantisationError() {
        for value in stride(from: -32_000, through: 32_000, by: 37) {
            let sample = Int16(value)
            let restored = MuLaw.decode(MuLaw.encode(sample))
            // G.711 μ-law step size is at most 1/16 of the magnitude plus the bias.
            #expect(abs(Int(restored) - value) <= abs(value) / 16 + 8, "\(value) → \(restored)")
        }
    }

    @Test func muLawKnownCodes() {
        #expect(MuLaw.decode(0xFF) == 0)
        #expect(MuLaw.decode(0x80) == 32_124)
        #expect(MuLaw.decode(0x00) == -32_124)
    }

    @Test(arguments: [8_000, 16_000, 48_000])
    func linear16ResamplesToSixteenKilohertz(rate: Int) throws {
        let tone = Signal.sine(frequency: 1_000, sampleRate: rate, seconds: 1)
        var decoder = try PCMStreamDecoder(encoding: .linear16(.littleEndian), sampleRate: rate)
        let bytes = PCM16.bytes(from: tone)
        var output: [Int16] = []
        // Odd chunk sizes split samples in half.
        for start in stride(from: 0, to: bytes.count, by: 333) {
            output += try decoder.decode(Array(bytes[start..<min(start + 333, bytes.count)]))
        }
        output += try decoder.finish()
        #expect(output.count == 16_000)
        let frequency = Signal.zeroCrossingFrequency(Array(output[400..<15_600]), sampleRate: 16_000)
        #expect(abs(frequency - 1_000) < 5, "\(frequency) Hz")
        let ratio = Signal.rms(output[400..<15_600]) / Signal.rms(tone)
        #expect(abs(ratio - 1) < 0.02, "gain \(ratio)")
    }

    @Test func downsamplingRemovesToneAboveTheNewNyquist() throws {
        // 12 kHz cannot exist at 16 kHz; a decent anti-alias filter removes it (≥ 60 dB).
        let tone = Signal.sine(frequency: 12_000, sampleRate: 48_000, seconds: 0.5, amplitude: 16_000)
        var decoder = try PCMStreamDecoder(encoding: .linear16(.littleEndian), sampleRate: 48_000)
        let output = try decoder.decode(PCM16.bytes(from: tone)) + decoder.finish()
        #expect(Signal.rms(output[400..<7_600]) < Signal.rms(tone) / 1_000)
    }

    @Test func bigEndianAndStereoAreDownmixed() throws {
        let left = Signal.sine(frequency: 500, sampleRate: 16_000, seconds: 0.2)
        let interleaved = left.flatMap { [$0, $0] }
        var decoder = try PCMStreamDecoder(encoding: .linear16(.bigEndian), sampleRate: 16_000, channels: 2)
        let output = try decoder.decode(PCM16.bytes(from: interleaved, byteOrder: .bigEndian)) + decoder.finish()
        #expect(output == left)
    }

    @Test func streamEndingInsideASampleIsAnError() throws {
        var decoder = try PCMStreamDecoder(encoding: .linear16(.littleEndian), sampleRate: 16_000)
        _ = try decoder.decode([1, 2, 3])
        #expect(throws: AudioCodecError.truncatedPacket) { try decoder.finish() }
    }

    @Test func unsupportedRatesAndChannelsAreTypedErrors() {
        #expect(throws: AudioCodecError.unsupportedSampleRate) {
            try PCMStreamDecoder(encoding: .muLaw, sampleRate: 11_025)
        }
        #expect(throws: AudioCodecError.unsupportedChannelCount) {
            try PCMStreamDecoder(encoding: .muLaw, sampleRate: 8_000, channels: 6)
        }
    }

    @Test func wavWriterAndParserAgree() throws {
        let samples = Signal.sine(frequency: 300, sampleRate: 8_000, seconds: 0.1)
        let wav = try WAVFile(parsing: WAVFile.pcm16(samples: samples, sampleRate: 8_000))
        #expect(wav.sampleRate == 8_000 && wav.channels == 1 && wav.samples == samples)
        #expect(throws: AudioCodecError.invalidWAV) { try WAVFile(parsing: Array("RIFF....WAVEjunk".utf8)) }
    }
}
