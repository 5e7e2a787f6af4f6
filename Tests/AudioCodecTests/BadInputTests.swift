import Testing

@testable import AudioCodec

/// Each corrupted input ends in its own typed error, never a crash.
struct BadInputTests {
    /// A valid one-second stream to corrupt.
    static let validStream: [UInt8] = try! OggOpusEncoding.encode(
        Signal.sine(frequency: 200, sampleRate: 16_000, seconds: 1), serialNumber: 7)

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var limits = OggOpusReader.Limits()
        var expected: AudioCodecError
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        var cases: [Case] = []

        var flipped = validStream
        flipped[22] ^= 0x01  // first page's CRC field
        cases.append(Case(name: "flipped CRC byte", bytes: flipped, expected: .badPageChecksum))

        var flippedBody = validStream
        flippedBody[40] ^= 0x80  // inside the OpusHead body
        cases.append(Case(name: "flipped body byte", bytes: flippedBody, expected: .badPageChecksum))

        var lacingPastEnd = OggStreamBuilder()
        lacingPastEnd.headers()
        lacingPastEnd.page([0xF8, 1, 2, 3])
        // Claim 200 body bytes where only 4 follow: a page whose lacing runs past the end.
        let index = lacingPastEnd.bytes.count - 4 - 1
        var bytes = lacingPastEnd.bytes
        bytes[index] = 200
        cases.append(Case(name: "lacing past the end", bytes: bytes, expected: .truncatedPage))

        var endless = OggStreamBuilder()
        endless.headers()
        for number in 0..<3 {
            // 255 segments of 255 bytes, never a terminating lacing value: one packet forever.
            endless.page(
                [UInt8](repeating: 0xF8, count: 255 * 255), lacing: [UInt8](repeating: 255, count: 255),
                flags: number == 0 ? [] : .continued, granule: -1)
        }
        cases.append(Case(name: "endless continued packet", bytes: endless.bytes, expected: .oversizePacket))

        var zeroChannels = OggStreamBuilder()
        zeroChannels.headers(channels: 0)
        cases.append(Case(name: "zero channels", bytes: zeroChannels.bytes, expected: .unsupportedChannelCount))

        var sixChannels = OggStreamBuilder()
        sixChannels.headers(channels: 6)
        cases.append(Case(name: "six channels, family 0", bytes: sixChannels.bytes, expected: .unsupportedChannelCount))

        var tooLong = OggStreamBuilder()
        tooLong.headers()
        // TOC config 3 (SILK NB 60 ms), code 3; 3 CBR frames = 180 ms > 120 ms (R5).
        tooLong.page([0x1B, 0x03, 0, 0, 0], flags: .endOfStream, granule: 312 + 8_640)
        cases.append(Case(name: "code-3 packet over 120 ms", bytes: tooLong.bytes, expected: .invalidOpusPacket))

        cases.append(Case(name: "truncated stream", bytes: Array(validStream.dropLast(10)), expected: .truncatedPage))
        cases.append(Case(name: "headers only, cut in OpusTags", bytes: Array(validStream.prefix(47 + 10)), expected: .truncatedPage))
        cases.append(Case(name: "not Ogg at all", bytes: Array("RIFF0000WAVEfmt ".utf8), expected: .missingCapturePattern))

        var wrongFirst = OggStreamBuilder()
        wrongFirst.page(Array("OpusTags".utf8) + [0, 0, 0, 0, 0, 0, 0, 0], flags: .beginningOfStream)
        cases.append(Case(name: "OpusTags where OpusHead belongs", bytes: wrongFirst.bytes, expected: .invalidOpusHead))

        var gap = OggStreamBuilder()
        gap.headers()
        var gapBytes = gap.bytes
        var skipped = OggStreamBuilder()
        skipped.headers()
        skipped.page([0xF8, 0x00])  // sequence 2, dropped
        skipped.page([0xF8, 0x00], flags: .endOfStream, granule: 312 + 960)  // sequence 3
        gapBytes += skipped.bytes.suffix(from: skipped.bytes.count - (27 + 1 + 2))
        cases.append(Case(name: "missing page", bytes: gapBytes, expected: .pageSequenceGap))

        cases.append(Case(
            name: "audio packet over the configured cap", bytes: validStream,
            limits: .init(maxAudioPacketBytes: 20), expected: .oversizePacket))
        return cases
    }()

    @Test(arguments: cases)
    func corruptedInputGivesItsTypedError(_ testCase: Case) {
        #expect(throws: testCase.expected) {
            try OggStreamBuilder.read(testCase.bytes, limits: testCase.limits)
        }
    }

    @Test func theUncorruptedStreamReads() throws {
        #expect(try OggStreamBuilder.read(Self.validStream) == 51)
    }

    @Test func errorsNameWhatWasWrong() {
        var flipped = Self.validStream
        flipped[22] ^= 0x01
        do {
            _ = try OggStreamBuilder.read(flipped)
            Issue.record("a flipped CRC byte was accepted")
        } catch {
            #expect(error.identifier == "bad_page_checksum")
            #expect(error.detail.contains("page 0 at byte 0"), "\(error.detail)")
        }
    }

    @Test func opusPacketRules() throws {
        #expect(throws: AudioCodecError.invalidOpusPacket) { try OpusPacket.validate([]) }  // R1
        #expect(throws: AudioCodecError.invalidOpusPacket) { try OpusPacket.validate([0xF9, 1, 2, 3]) }  // R3: code 1, even length
        #expect(throws: AudioCodecError.invalidOpusPacket) { try OpusPacket.validate([0xFA, 10, 1]) }  // R4
        #expect(throws: AudioCodecError.invalidOpusPacket) {
            try OpusPacket.validate([0xF8] + [UInt8](repeating: 0, count: 1_276))  // R2
        }
        #expect(throws: AudioCodecError.invalidOpusPacket) { try OpusPacket.validate([0xFB, 0x00]) }  // R5: 0 frames
        #expect(throws: AudioCodecError.invalidOpusPacket) { try OpusPacket.validate([0xFB, 0x03, 1, 2, 3, 4]) }  // R6
        #expect(throws: AudioCodecError.invalidOpusPacket) { try OpusPacket.validate([0xFB, 0x42, 0xFF]) }  // R6/R7 padding
        #expect(throws: AudioCodecError.invalidOpusPacket) { try OpusPacket.validate([0xFB, 0x83, 10, 10]) }  // R7
        #expect(try OpusPacket.validate([0xFB, 0x03, 1, 2, 3]).frameCount == 3)  // 3 × 2.5 ms CELT, fine
    }
}
