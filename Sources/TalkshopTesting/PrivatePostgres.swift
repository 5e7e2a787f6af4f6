import Foundation

/// A PostgreSQL cluster of one test's own, in a temporary directory on a free loopback port,
/// that the test may stop and start again under a running node (the suite's shared server,
/// `TestPostgres`, must stay up for the other tests). Run as the `postgres` user when the
/// tests run as root, as PostgreSQL refuses root. Removed by `remove()`.
public final class PrivatePostgres: Sendable {
    public let port: Int
    public let directory: URL
    private let binaries: URL
    private let asPostgres: [String]

    public var url: String { "postgres://talkshop@127.0.0.1:\(port)/talkshop" }

    public init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.sorted(by: { $0.compare($1, options: .numeric) == .orderedAscending }).last else {
            throw ExternalTool.Failure(description: "PostgreSQL's server is not installed (scripts/setup.sh --tests installs it)")
        }
        binaries = URL(fileURLWithPath: "/usr/lib/postgresql/\(newest)/bin")
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-private-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        asPostgres = getuid() == 0 ? ["runuser", "-u", "postgres", "--"] : []
        if getuid() == 0 { try Self.shell(["chown", "postgres", directory.path]) }
        port = try FreePort.find()
        try run("initdb", ["-D", data, "-U", "talkshop", "--auth=trust", "-E", "UTF8"])
        try start()
        try run("createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", "talkshop", "talkshop"])
    }

    private var data: String { directory.appendingPathComponent("data").path }

    /// Starts the server as a child of the test process (`postgres` itself, not `pg_ctl`,
    /// whose daemon the test process could not wait for) and waits until it accepts connections.
    public func start() throws {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: asPostgres.isEmpty ? binaries.appendingPathComponent("postgres").path : "/usr/sbin/runuser")
        server.arguments = Array(asPostgres.dropFirst()) + (asPostgres.isEmpty ? [] : [binaries.appendingPathComponent("postgres").path]) + [
            "-D", data, "-p", "\(port)", "-k", directory.path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off",
        ]
        let log = directory.appendingPathComponent("server.log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        server.standardOutput = handle
        server.standardError = handle
        server.standardInput = FileHandle.nullDevice
        try server.run()
        let readiness = try ExternalTool(executable: binaries.appendingPathComponent("pg_isready"))
        for _ in 0..<300 {
            if try readiness.run(["-h", "127.0.0.1", "-p", "\(port)", "-q"]).status == 0 { return }
            Thread.sleep(forTimeInterval: 0.1)
        }
        throw ExternalTool.Failure(description: "the private PostgreSQL did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// Stops the server at once, as an outage would (SIGQUIT: immediate shutdown, open
    /// connections ended), and waits until it is gone.
    public func stop() throws {
        let pidFile = directory.appendingPathComponent("data/postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) else {
            return
        }
        kill(pid, SIGQUIT)
        for _ in 0..<300 where kill(pid, 0) == 0 { Thread.sleep(forTimeInterval: 0.05) }
        // An immediate shutdown leaves its pid file: the next start must not take it for a running server.
        try? FileManager.default.removeItem(at: pidFile)
    }

    /// Stops the server if it runs, and removes its files.
    public func remove() {
        try? stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private func run(_ tool: String, _ arguments: [String]) throws {
        try Self.shell(asPostgres + [binaries.appendingPathComponent(tool).path] + arguments)
    }

    private static func shell(_ command: [String]) throws {
        let result = try ExternalTool(named: command[0]).run(Array(command.dropFirst()))
        guard result.status == 0 else {
            throw ExternalTool.Failure(description: "\(command.joined(separator: " ")): \(result.standardOutput) \(result.standardError)")
        }
    }
}
