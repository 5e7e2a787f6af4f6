import Foundation
import TalkshopTesting
import Testing

/// `talkshop serve` on a small open-file limit, flooded with more half-open and dripping
/// connections than it has descriptors for (`talkshop bench flood`): the process lives, a
/// device still gets its session, and the flood's connections are closed.
@Suite(.serialized) struct ConnectionFloodTests {
    @Test func aFloodOfHalfOpenConnectionsNeitherCrashesTheServerNorLocksOutADevice() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-flood-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("talkshop.yaml")
        try "port: 0\ndecoderPoolSize: 1\nlimits: {requestHeadTimeoutSeconds: 2}\n".write(to: config, atomically: true, encoding: .utf8)
        // 256 descriptors: 128 connections at most, 64 of them unauthenticated; the flood is 600.
        let server = try await ServerProcess(
            arguments: ["--config", config.path, "--data-directory", directory.appendingPathComponent("var").path, "--log-level", "error"],
            openFileLimit: 256)
        defer { Task { await server.stop() } }
        let url = try #require(server.url), token = try #require(server.firstStartToken)

        let flood = try await ExternalTool(executable: TestPaths.talkshopBinary).runDetached([
            "bench", "flood", "--url", url, "--token", token, "--connections", "600", "--drip", "20", "--drip-interval", "0.5", "--hold", "8s",
        ])
        print(flood.standardOutput)
        #expect(flood.status == 0, "\(flood.standardOutput)\(flood.standardError)")
        #expect(flood.standardOutput.contains("server alive after the flood: yes"))
        // Every session and every health check during the flood was answered (about one a second).
        let during = try #require(flood.standardOutput.firstMatch(of: /(\d+) of (\d+) device sessions answered.*\/healthz (\d+) of (\d+)/))
        #expect(during.1 == during.2 && during.3 == during.4 && Int(during.2)! >= 3, "\(flood.standardOutput)")
        #expect(flood.standardOutput.contains("the server closed 600 of the flood's 600 connections (20 of 20 dripping ones)"))
        #expect(server.isRunning)
    }
}
