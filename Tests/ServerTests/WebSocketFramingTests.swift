import Foundation
import Server
import Simulators
import TalkshopTesting
import Testing

/// RFC 6455 as a client that breaks it sees the server, frame by frame on a raw socket: each
/// violation closes with the code the RFC names (it was accepted, `bad_message`, or 1000).
struct WebSocketFramingTests {
    /// Opens `/v1/voice` with the test device's token; returns the connection after the 101.
    static func upgraded(_ server: TestServer.Context) throws -> RawConnection {
        let connection = try RawConnection(port: server.port)
        connection.send(
            "GET /v1/voice HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer \(server.token)\r\n\r\n")
        let head = connection.readAll(within: 10, until: "\r\n\r\n")
        guard head.hasPrefix("HTTP/1.1 101") else { throw ExternalTool.Failure(description: "no upgrade: \(head)") }
        return connection
    }

    /// A client frame: `opcode`, FIN when `final`, masked unless told otherwise.
    static func frame(_ opcode: UInt8, _ payload: [UInt8], final: Bool = true, masked: Bool = true) -> [UInt8] {
        var bytes: [UInt8] = [(final ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        switch payload.count {
        case ..<126: bytes.append(maskBit | UInt8(payload.count))
        case ..<65_536: bytes += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: bytes += [maskBit | 127] + (0..<8).reversed().map { UInt8((payload.count >> ($0 * 8)) & 0xFF) }
        }
        guard masked else { return bytes + payload }
        let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// The code of the close frame among the server's frames, if it sent one.
    static func closeCode(in bytes: [UInt8]) -> Int? {
        var index = 0
        while index + 2 <= bytes.count {
            let opcode = bytes[index] & 0x0F
            var length = Int(bytes[index + 1] & 0x7F)
            var start = index + 2
            if length == 126, start + 2 <= bytes.count {
                length = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            } else if length == 127 {
                return nil  // the server sends no frame that long here
            }
            if opcode == 0x8 { return start + 2 <= bytes.count ? Int(bytes[start]) << 8 | Int(bytes[start + 1]) : nil }
            index = start + length
        }
        return nil
    }

    /// Sends `frames` after the upgrade and reads the server's answer, on a thread of its own:
    /// the raw socket blocks, and the server under test needs the concurrency runtime's threads.
    static func closeCode(after frames: [UInt8], _ server: TestServer.Context) async throws -> Int? {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result {
                    let connection = try upgraded(server)
                    connection.send(bytes: frames)
                    return closeCode(in: connection.readBytes(within: 10))
                })
            }
        }
    }

    @Test func anUnmaskedClientFrameIsAProtocolError() async throws {
        try await TestServer.with { server throws in
            let start = Array(#"{"type":"start","codec":"pcm-s16le"}"#.utf8)
            #expect(try await Self.closeCode(after: Self.frame(0x1, start, masked: false), server) == 1002)
            // Masked, the same frame starts a session, which the client then stops.
            #expect(try await Self.closeCode(after: Self.frame(0x1, start) + Self.frame(0x1, Array(#"{"type":"stop"}"#.utf8)), server) == 1000)
        }
    }

    @Test func textThatIsNotUTF8IsInconsistentData() async throws {
        try await TestServer.with { server throws in
            #expect(try await Self.closeCode(after: Self.frame(0x1, [0x7B, 0xC3, 0x28, 0x7D]), server) == 1007)
        }
    }

    @Test func aFragmentedMessageOverTheLimitIsTooBig() async throws {
        try await TestServer.with({ $0.limits.maxMessageBytes = 4_096 }) { server throws in
            let piece = [UInt8](repeating: 0x61, count: 3_000)
            let frames = Self.frame(0x2, piece, final: false) + Self.frame(0x0, piece, final: false) + Self.frame(0x0, piece)
            #expect(try await Self.closeCode(after: frames, server) == 1009)
        }
    }
}
