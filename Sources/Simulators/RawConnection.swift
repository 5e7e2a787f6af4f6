import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a port on this machine, for clients that misbehave on purpose
/// (`talkshop bench flood`, the tests): half-sent requests, slow drips, floods. Closed when
/// released.
public final class RawConnection: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private let socket: Int32

    /// Connects to `host` (an IPv4 address) and `port`, giving up after `timeout` seconds (a
    /// server that no longer accepts leaves a connection waiting in its queue).
    public init(port: Int, host: String = "127.0.0.1", timeout: Double = 5) throws {
        let descriptor = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket(): errno \(errno)") }
        if let problem = Self.connect(descriptor, host: host, port: port, timeout: timeout) {
            close(descriptor)
            throw Failure(description: problem)
        }
        // Blocking from here: sends are small, reads wait with poll.
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~Int32(O_NONBLOCK))
        socket = descriptor
    }

    /// Connects the non-blocking socket; what went wrong, or nil.
    private static func connect(_ socket: Int32, host: String, port: Int, timeout: Double) -> String? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host)
        let started = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard started != 0 else { return nil }
        guard errno == EINPROGRESS else { return "connect(): errno \(errno)" }
        var descriptor = pollfd(fd: socket, events: Int16(POLLOUT), revents: 0)
        guard poll(&descriptor, 1, Int32(timeout * 1_000)) == 1 else { return "no connection within \(timeout) s" }
        var error: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(socket, SOL_SOCKET, SO_ERROR, &error, &length)
        return error == 0 ? nil : "connect(): errno \(error)"
    }

    deinit { close(socket) }

    /// Sends the text; false if the server has closed the connection.
    @discardableResult
    public func send(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Sends raw bytes (a hand-made WebSocket frame); false if the server has closed the connection.
    @discardableResult
    public func send(bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == bytes.count
    }

    /// Whether the server has closed the connection (a read returns end of file or a reset),
    /// waiting up to `timeout` seconds for it. Anything the server sent before is skipped.
    public func isClosedByServer(within timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            let left = deadline.timeIntervalSinceNow
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(max(0, left) * 1_000))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { return false }
            let read = recv(socket, &buffer, buffer.count, 0)
            if read <= 0 { return true }
            if left <= 0 { return false }
        }
    }

    /// Everything the server sends until it closes the connection, or what it has sent once
    /// that contains `marker`, or when `timeout` passes.
    public func readAll(within timeout: Double, until marker: String? = nil) -> String {
        String(decoding: readBytes(within: timeout, until: marker), as: UTF8.self)
    }

    /// `readAll`'s bytes as they came.
    public func readBytes(within timeout: Double, until marker: String? = nil) -> [UInt8] {
        let deadline = Date().addingTimeInterval(timeout)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while deadline.timeIntervalSinceNow > 0 {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, Int32(deadline.timeIntervalSinceNow * 1_000))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let read = recv(socket, &buffer, buffer.count, 0)
            if read <= 0 { break }
            received += buffer[0..<read]
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { break }
        }
        return received
    }
}
