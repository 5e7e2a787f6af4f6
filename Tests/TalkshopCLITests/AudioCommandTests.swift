import Foundation
import TalkshopTesting
import Testing

/// Runs the built `talkshop` binary as a user would.
struct AudioCommandTests {
    let talkshop = ExternalTool(executable: TestPaths.talkshopBinary)

    @Test func infoPrintsTheDurationOfARealRecording() throws {
        let directory = TestPaths.coffeeDev
        let name = try #require(
            try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".opus") }.min())
        let path = directory.appendingPathComponent(name).path
        let ours = try talkshop.run(["audio", "info", path])
        #expect(ours.status == 0, "\(ours.standardError)")
        let reference = try ExternalTool(named: "opusinfo").run([path]).standardOutput
        // opusinfo: "Playback length: 0m:02.345s" → our "duration: 2.345 s" (both to the ms).
        let seconds = try #require(OpusInfo.playbackLength(in: reference), "\(reference)")
        let ourLine = try #require(ours.standardOutput.split(separator: "\n").first { $0.hasPrefix("duration:") })
        let ourSeconds = try #require(Double(ourLine.split(separator: " ")[1]))
        #expect(abs(ourSeconds - seconds) <= 0.001, "\(ourLine) vs \(seconds) s")
        #expect(ours.standardOutput.contains("codec: opus"))
        #expect(ours.standardOutput.contains("channels: 1"))
    }

    @Test func decodeWritesAWAV() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).wav")
        defer { try? FileManager.default.removeItem(at: output) }
        let input = TestPaths.audioFixtures.appendingPathComponent("yes.ul").path
        let result = try talkshop.run(["audio", "decode", input, "-o", output.path])
        #expect(result.status == 0, "\(result.standardError)")
        let bytes = try TestPaths.readBytes(output)
        #expect(bytes.starts(with: Array("RIFF".utf8)))
        // 8 kHz μ-law, one byte per sample → twice as many 16 kHz samples, two bytes each.
        let inputBytes = try TestPaths.readBytes(URL(fileURLWithPath: input)).count
        #expect(abs((bytes.count - 44) / 2 - inputBytes * 2) <= 2)
    }

    @Test func adaptationSetKeepsOnlyRecordingsTranscribedRight() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-adapt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let (right, wrong) = ("02b77977-ada7-4f37-a1b3-8cb433c8c8da", "038439fc-2a04-4ed3-9caa-cf2a5a086aef")
        // The second label is not what was said: that recording must be left out.
        let labels = """
            {"\(right).opus": {"intent": "orderDrink", "slots": {"coffeeDrink": "iced mocha", "roast": "light roast", "size": "eight ounce"}},
             "\(wrong).opus": {"intent": "orderDrink", "slots": {"coffeeDrink": "latte"}}}
            """
        try labels.write(to: directory.appendingPathComponent("labels.json"), atomically: true, encoding: .utf8)
        let output = directory.appendingPathComponent("corpus")
        let result = try talkshop.run([
            "audio", "adaptation-set", "--labels", directory.appendingPathComponent("labels.json").path, "--noise", "pink", "--snr", "9",
            "--noisy-room-model", "off", "--output", output.path,
            TestPaths.coffeeDev.appendingPathComponent("\(right).opus").path, TestPaths.coffeeDev.appendingPathComponent("\(wrong).opus").path,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        let fileIDs = try String(contentsOf: output.appendingPathComponent("adapt.fileids"), encoding: .utf8)
        #expect(fileIDs == "\(right)-pink9\n")
        let transcription = try String(contentsOf: output.appendingPathComponent("adapt.transcription"), encoding: .utf8)
        #expect(transcription.hasPrefix("<s> ") && transcription.hasSuffix(" </s> (\(right)-pink9)\n"), "\(transcription)")
        #expect(transcription.contains("light roast eight ounce iced mocha"), "\(transcription)")
        let dictionary = try String(contentsOf: output.appendingPathComponent("adapt.dic"), encoding: .utf8)
        let entries = Set(dictionary.split(separator: "\n").map { String($0.split(separator: " ")[0]) })
        let words = transcription.split(separator: " ").filter { !["<s>", "</s>"].contains($0) && !$0.hasPrefix("(") }
        #expect(words.allSatisfy { entries.contains(String($0)) }, "every transcript word has a pronunciation")
        let wav = try TestPaths.readBytes(output.appendingPathComponent("wav/\(right)-pink9.wav"))
        #expect(wav.starts(with: Array("RIFF".utf8)) && wav.count > 16_000, "\(wav.count) bytes")
    }

    @Test func corruptFileGivesATypedErrorAndNonZeroExit() throws {
        var bytes = try TestPaths.readBytes(TestPaths.audioFixtures.appendingPathComponent("yes.opus"))
        bytes[30] ^= 0xFF
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).opus")
        defer { try? FileManager.default.removeItem(at: path) }
        try Data(bytes).write(to: path)
        let result = try talkshop.run(["audio", "info", path.path])
        #expect(result.status != 0)
        #expect(result.standardError.contains("bad_page_checksum"), "\(result.standardError)")
    }

    @Test func serveRefusesABadConfigurationBeforeStarting() throws {
        let result = try talkshop.run(["serve", "--port", "70000"])
        #expect(result.status != 0)
        #expect(result.standardError.contains("port 70000 is out of range"), "\(result.standardError)")
    }
}
