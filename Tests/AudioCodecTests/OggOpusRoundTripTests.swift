import Foundation
import Testing

@testable import AudioCodec

struct OggOpusRoundTripTests {
    let tone = Signal.sine(frequency: 440, sampleRate: 16_000, seconds: 1.37)

    @Test func encodeWriteReadDecodeKeepsLengthAndEnergy() throws {
        let file = try OggOpusEncoding.encode(tone)
        let decoded = try AudioFile(bytes: file, format: .oggOpus).decodeToRecognitionPCM()
        #expect(decoded.count == tone.count)
        let ratio = Signal.rms(decoded) / Signal.rms(tone)
        #expect(ratio > 0.8 && ratio < 1.2, "energy ratio \(ratio)")
        let frequency = Signal.zeroCrossingFrequency(Array(decoded.dropFirst(1_600)), sampleRate: 16_000)
        #expect(abs(frequency - 440) < 10, "decoded tone at \(frequency) Hz")
    }

    @Test func infoReportsDurationFromGranuleAndPreSkip() throws {
        let file = try OggOpusEncoding.encode(tone)
        let info = try AudioFile(bytes: file, format: .oggOpus).info()
        #expect(abs(info.durationSeconds - 1.37) < 0.0001)
        #expect(info.channels == 1)
        #expect(info.packets == 69)  // ceil((1.37 s + lookahead) / 20 ms)
    }

    /// Pages arrive split anywhere across WebSocket frames; the output must not depend on it.
    @Test(arguments: [1, 7, 100, 4_093])
    func chunkedInputDecodesLikeWholeInput(chunkSize: Int) throws {
        let file = try OggOpusEncoding.encode(tone)
        var whole = try OggOpusStreamDecoder()
        let expected = try whole.decode(file) + whole.finish()
        var chunked = try OggOpusStreamDecoder()
        var output: [Int16] = []
        for start in stride(from: 0, to: file.count, by: chunkSize) {
            output += try chunked.decode(Array(file[start..<min(start + chunkSize, file.count)]))
        }
        output += try chunked.finish()
        #expect(output == expected)
    }

    @Test func rawOpusPacketsDecodeAndConcealLoss() throws {
        let encoder = try OpusEncoder()
        var decoder = try OpusPacketStreamDecoder()
        var total = 0
        for start in stride(from: 0, to: tone.count - encoder.frameSize, by: encoder.frameSize) {
            total += try decoder.decode(try encoder.encode(frame: Array(tone[start..<(start + encoder.frameSize)]))).count
        }
        #expect(total == tone.count / encoder.frameSize * encoder.frameSize)
        let concealed = try decoder.concealLostPackets(2)
        #expect(concealed.count == 2 * encoder.frameSize)
        #expect(Signal.rms(concealed) > 0, "concealment continues the tone rather than going silent")
    }

    @Test func rawOpusPacketOverTheCapIsRejected() throws {
        var decoder = try OpusPacketStreamDecoder(maxPacketBytes: 100)
        #expect(throws: AudioCodecError.oversizePacket) {
            try decoder.decode([0x78] + [UInt8](repeating: 0, count: 200))
        }
    }
}

struct OggOpusWrapTests {
    @Test func packetsAsReceivedAreWrappedUnchangedAndPlayForTheirLength() throws {
        let encoder = try OpusEncoder()
        let samples = (0..<16_000).map { Int16(6_000 * sin(Double($0) * 0.05)) }
        let packets = try stride(from: 0, to: samples.count, by: 320).map { try encoder.encode(frame: Array(samples[$0..<($0 + 320)])) }
        let file = try OggOpusEncoding.wrap(packets: packets, sampleCounts: Array(repeating: 320, count: packets.count))
        var reader = OggOpusReader()
        #expect(try reader.append(file).map(\.data) == packets)
        try reader.finish()
        let info = try AudioFile(bytes: file, format: .oggOpus).info()
        #expect(abs(info.durationSeconds - 1.0) < 0.001)
        #expect(try AudioFile(bytes: file, format: .oggOpus).decodeToRecognitionPCM().count == 16_000)
    }
}
