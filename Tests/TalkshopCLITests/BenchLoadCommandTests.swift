import Foundation
import TalkshopTesting
import Testing

/// `talkshop bench load` against `talkshop serve`, both as real processes over real sockets.
struct BenchLoadCommandTests {
    let talkshop = ExternalTool(executable: TestPaths.talkshopBinary)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-load-\(UUID())")

    /// Three labelled recordings, so the run is short.
    func recordings() throws -> URL {
        let folder = directory.appendingPathComponent("recordings")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = TestPaths.coffeeDev
        let labels = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("labels.json"))) as! [String: Any]
        let names = labels.keys.sorted().prefix(3)
        for name in names {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let subset = labels.filter { names.contains($0.key) }
        try JSONSerialization.data(withJSONObject: subset).write(to: folder.appendingPathComponent("labels.json"))
        return folder
    }

    @Test func aShortRunReportsLatencyAccuracyAndTheServersFigures() async throws {
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = try recordings()
        let server = try await ServerProcess(arguments: [
            "--port", "0", "--log-level", "error", "--config", TestPaths.repository.appendingPathComponent("bench/load-server.yaml").path,
            "--data-directory", directory.appendingPathComponent("var").path,
        ])
        defer { Task { await server.stop() } }
        let url = try #require(server.url), token = try #require(server.firstStartToken)
        let run = try await talkshop.runDetached([
            "bench", "load", "--url", url, "--token", token, "--streams", "3", "--duration", "12s", "--pause", "0.5-1",
            // The tests run side by side on a small machine: this checks the figures are
            // produced and consistent, not how fast (the README's figures come from a quiet run).
            "--p99-bound", "5000", "--lag-bound", "2000", folder.path,
        ])
        #expect(run.status == 0, "\(run.standardOutput) \(run.standardError)")
        let out = run.standardOutput
        #expect(out.contains("unloaded reference (one stream, unpaced): "), "\(out)")
        let row = try #require(out.split(separator: "\n").map(String.init).first { $0.hasPrefix("| 3 |") }, "\(out)")
        let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Int(cells[1]) ?? 0 >= 3, "utterances: \(row)")
        #expect(cells[2] == "0", "errors: \(row)")
        #expect(cells.last == "yes", "held: \(row)")
        #expect(cells[9].hasSuffix("%") && cells[11].hasSuffix("MB"), "server CPU and RSS: \(row)")
        // The server's own count of audio received matched what was sent, or the step failed.
        #expect(!out.contains("server received"), "\(out)")
    }

    @Test func anUnreachableServerIsAClearError() async throws {
        let run = try await talkshop.runDetached([
            "bench", "load", "--url", "ws://127.0.0.1:9/v1/voice", "--token", "tsk_x", "--duration", "1s", "--no-reference",
            TestPaths.audioFixtures.appendingPathComponent("large-latte.opus").path,
        ])
        #expect(run.status != 0)
        #expect(run.standardError.contains("cannot read the server's figures at http://127.0.0.1:9/metrics"), "\(run.standardError)")
    }

    @Test func badOptionsAreRefusedBeforeAnythingRuns() async throws {
        for arguments in [["--duration", "soon"], ["--pause", "3-1"], ["--streams", "0"]] {
            let run = try await talkshop.runDetached(["bench", "load", "--token", "t"] + arguments)
            #expect(run.status != 0 && run.standardError.contains("Error"), "\(arguments): \(run.standardError)")
        }
    }
}
