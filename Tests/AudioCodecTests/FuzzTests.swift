import Foundation
import Grammar
import Testing

@testable import AudioCodec

/// Randomised robustness test over the Ogg reader and the Opus packet validator: mutated
/// valid streams and random packets must end in a typed error or a clean result, never a
/// crash or a runaway buffer. Seeded, so a failure reproduces; set TALKSHOP_FUZZ_ITERATIONS
/// and TALKSHOP_FUZZ_SEED to run longer or differently (see README).
struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let iterations = Int(environment["TALKSHOP_FUZZ_ITERATIONS"] ?? "") ?? 3_000
    static let seed = UInt64(environment["TALKSHOP_FUZZ_SEED"] ?? "") ?? 0x7A1C_5409

    @Test func mutatedOggStreamsNeverCrash() throws {
        let valid = try OggOpusEncoding.encode(Signal.sine(frequency: 300, sampleRate: 16_000, seconds: 0.5), serialNumber: 3)
        var random = SeededGenerator(seed: Self.seed)
        var outcomes: [String: Int] = [:]
        for _ in 0..<Self.iterations {
            var bytes = valid
            for _ in 0...random.next(below: 8) {
                let position = random.next(below: bytes.count)
                switch random.next(below: 4) {
                case 0: bytes[position] ^= UInt8(truncatingIfNeeded: random.next(below: 255) + 1)
                case 1: bytes.removeSubrange(position..<min(bytes.count, position + random.next(below: 64) + 1))
                case 2: bytes.insert(contentsOf: (0..<random.next(below: 32)).map { _ in UInt8(truncatingIfNeeded: random.next(below: 256)) }, at: position)
                default: bytes = Array(bytes.prefix(position))
                }
                if bytes.isEmpty { break }
            }
            var reader = OggOpusReader()
            do {
                // Feed in random chunk sizes, as WebSocket frames would arrive.
                var offset = 0
                while offset < bytes.count {
                    let end = min(bytes.count, offset + random.next(below: 5_000) + 1)
                    _ = try reader.append(bytes[offset..<end])
                    offset = end
                }
                try reader.finish()
                outcomes["accepted", default: 0] += 1
            } catch {
                outcomes[error.identifier, default: 0] += 1
            }
        }
        // Most mutations must be caught (the CRC covers every page byte).
        #expect((outcomes["accepted"] ?? 0) < Self.iterations / 2, "\(outcomes)")
    }

    @Test func randomPacketsValidateOrFailTyped() throws {
        var random = SeededGenerator(seed: Self.seed ^ 0xFFFF)
        let decoder = try OpusDecoder()
        var accepted = 0
        for _ in 0..<Self.iterations {
            let length = random.next(below: 1_400)
            let packet = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next(below: 256)) }
            guard (try? OpusPacket.validate(packet)) != nil else { continue }
            accepted += 1
            // What the validator passes, libopus must take without failing.
            #expect(throws: Never.self) { _ = try decoder.decode(packet) }
        }
        #expect(accepted > 0)
    }
}

extension SeededGenerator {
    /// A value in 0..<bound (0 when the bound is not positive).
    mutating func next(below bound: Int) -> Int { bound <= 0 ? 0 : Int(next() % UInt64(bound)) }
}
