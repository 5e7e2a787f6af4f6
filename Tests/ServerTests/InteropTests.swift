import Foundation
import Server
import Store
import TalkshopTesting
import Testing

/// An independent WebSocket implementation (Python's `websockets`, Debian python3-websockets)
/// drives the server, and disconnects abruptly in mid-utterance.
@Suite(.serialized) struct InteropTests {
    static let script = #"""
import asyncio, json, sys, websockets

async def main(url, token, audio_path, mode):
    raw = open(audio_path, "rb").read()
    async with websockets.connect(url, extra_headers={"Authorization": "Bearer " + token}) as ws:
        await ws.send(json.dumps({"type": "start", "codec": "pcm-s16le", "sample_rate": 16000, "channels": 1}))
        print(json.loads(await ws.recv())["type"])
        chunks = [raw[i:i + 640] for i in range(0, len(raw), 640)]
        if mode == "abort":
            for chunk in chunks[: len(chunks) // 2]:
                await ws.send(chunk)
            ws.transport.abort()   # no close frame: the network just goes away
            print("aborted")
            return
        for chunk in chunks:
            await ws.send(chunk)
        await ws.send(json.dumps({"type": "end_of_speech"}))
        while True:
            event = json.loads(await ws.recv())
            print(event["type"], json.dumps(event.get("slots", {}), sort_keys=True))
            if event["type"] in ("intent", "rejected", "error"):
                break
        await ws.send(json.dumps({"type": "stop"}))
        while (event := json.loads(await ws.recv()))["type"] != "bye":
            pass
        print("bye")

asyncio.run(main(*sys.argv[1:]))
"""#

    static func runPython(url: String, token: String, mode: String) async throws -> String {
        // Debian's interpreter, where python3-websockets (scripts/setup.sh) installs.
        let result = try await ExternalTool(executable: URL(fileURLWithPath: "/usr/bin/python3")).runDetached([
            "-c", script, url, token, TestPaths.audioFixtures.appendingPathComponent("large-latte.l16").path, mode,
        ])
        #expect(result.status == 0, "\(result.standardError)")
        return result.standardOutput
    }

    @Test func pythonWebsocketsClientOrdersALatte() async throws {
        try await TestServer.with { server in
            let output = try await Self.runPython(url: server.url, token: server.token, mode: "full")
            #expect(output.contains("ready"))
            #expect(output.contains(#"intent {"coffeeDrink": "latte", "size": "large"}"#), "\(output)")
            #expect(output.hasSuffix("bye\n"))
        }
    }

    @Test func anAbruptDisconnectInMidUtteranceLeaksNothing() async throws {
        try await TestServer.with { server in
            try await server.services.recognizer.pool.warmUp()
            let output = try await Self.runPython(url: server.url, token: server.token, mode: "abort")
            #expect(output.contains("aborted"))
            // The server notices the dead socket, closes the session and returns its decoder.
            var open = try server.sessions.openSessions()
            for _ in 0..<50 where !open.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                open = try server.sessions.openSessions()
            }
            #expect(open.isEmpty)
            #expect(server.openSessions == 0)
            // The utterance cut off is ended on a decoding thread, which then returns its decoder.
            let pool = server.services.recognizer.pool
            for _ in 0..<50 where await pool.idleDecoders < pool.size { try await Task.sleep(for: .milliseconds(100)) }
            #expect(await pool.idleDecoders == pool.size)
        }
    }
}
