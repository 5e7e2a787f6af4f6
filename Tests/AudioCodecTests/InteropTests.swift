import Foundation
import TalkshopTesting
import Testing

@testable import AudioCodec

/// Checks Talkshop against the reference Opus tools from Debian's opus-tools.
struct InteropTests {
    static let opusencFiles: [String] = {
        let fixtures = (try? FileManager.default.contentsOfDirectory(atPath: TestPaths.audioFixtures.path)) ?? []
        return fixtures.filter { $0.hasSuffix(".opus") }.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(Self.opusencFiles.count >= 5, "audio-fixtures/*.opus missing; run audio-fixtures/generate.sh")
    }

    @Test(arguments: opusencFiles)
    func opusencFileDecodesToTheLengthOpusdecReports(name: String) throws {
        let url = TestPaths.audioFixtures.appendingPathComponent(name)
        let decoded = try AudioFile(bytes: TestPaths.readBytes(url), format: .oggOpus).decodeToRecognitionPCM()

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).wav")
        defer { try? FileManager.default.removeItem(at: output) }
        let opusdec = try ExternalTool(named: "opusdec")
        let result = try opusdec.run(["--quiet", "--rate", "16000", url.path, output.path])
        #expect(result.status == 0, "\(result.standardError)")
        let reference = try WAVFile(parsing: TestPaths.readBytes(output))
        #expect(abs(decoded.count - reference.frameCount) <= 1, "talkshop \(decoded.count), opusdec \(reference.frameCount)")
    }

    @Test func realRecordingsMatchOpusinfoPlaybackLength() throws {
        let directory = TestPaths.coffeeDev
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".opus") }.sorted().prefix(8)
        #expect(names.count == 8, "coffee-dev recordings missing at \(directory.path)")
        let opusinfo = try ExternalTool(named: "opusinfo")
        for name in names {
            let url = directory.appendingPathComponent(name)
            let info = try AudioFile(bytes: TestPaths.readBytes(url), format: .oggOpus).info()
            let report = try opusinfo.run([url.path]).standardOutput
            let reported = try #require(OpusInfo.playbackLength(in: report), "no playback length in: \(report)")
            // opusinfo truncates to milliseconds.
            #expect(abs(info.durationSeconds - reported) < 0.0011, "\(name): \(info.durationSeconds) vs \(reported)")
        }
    }

    @Test func opusinfoAndOpusdecAcceptWhatTalkshopWrites() throws {
        let tone = Signal.sine(frequency: 330, sampleRate: 16_000, seconds: 2.345)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).opus")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(OggOpusEncoding.encode(tone, comments: ["TITLE=interop"])).write(to: url)

        let report = try ExternalTool(named: "opusinfo").run([url.path])
        #expect(report.status == 0)
        #expect(!report.standardOutput.contains("WARNING") && !report.standardError.contains("WARNING"),
                "\(report.standardOutput)\(report.standardError)")
        #expect(OpusInfo.playbackLength(in: report.standardOutput) == 2.345)

        let wav = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).wav")
        defer { try? FileManager.default.removeItem(at: wav) }
        let decoded = try ExternalTool(named: "opusdec").run(["--quiet", "--rate", "16000", url.path, wav.path])
        #expect(decoded.status == 0, "\(decoded.standardError)")
        #expect(abs(try WAVFile(parsing: TestPaths.readBytes(wav)).frameCount - tone.count) <= 1)
    }
}
