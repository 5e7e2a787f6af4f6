import Foundation
import Synchronization
import TalkshopTesting

/// `talkshop serve` as a child process: started, waited for until it listens, killed.
final class ServerProcess: Sendable {
    private let process: Process
    private let output = TextBuffer()

    /// Starts the server and waits until it prints its listening address. `openFileLimit`:
    /// run it with this limit on open descriptors (soft and hard), as a small machine would.
    /// What every node on a shared database is given: one key-encryption key (a test's own).
    static let sharedKeyEnvironment = ["TALKSHOP_MASTER_KEY": Data(repeating: 7, count: 32).base64EncodedString()]

    /// `environment`: added to the test process's own.
    init(arguments: [String], environment: [String: String] = [:], openFileLimit: Int? = nil, timeout: Duration = .seconds(60)) async throws {
        let process = Process()
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        if let openFileLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", TestPaths.talkshopBinary.path, "serve"] + arguments
        } else {
            process.executableURL = TestPaths.talkshopBinary
            process.arguments = ["serve"] + arguments
        }
        process.currentDirectoryURL = TestPaths.repository
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        self.process = process
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            output.append(String(decoding: data, as: UTF8.self))
        }
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while url == nil {
            guard process.isRunning else { throw ExternalTool.Failure(description: "talkshop serve exited: \(text)") }
            guard ContinuousClock.now < deadline else { throw ExternalTool.Failure(description: "talkshop serve did not start: \(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    var text: String { output.text }

    /// ws://127.0.0.1:PORT/v1/voice, once listening.
    var url: String? {
        text.split(separator: "\n").first { $0.hasPrefix("talkshop listening on ") }
            .flatMap { $0.split(separator: " ").dropFirst(3).first.map(String.init) }
    }

    /// The device token printed on first start.
    var firstStartToken: String? {
        text.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("tsk_") }.map(String.init)
    }

    var isRunning: Bool { process.isRunning }

    /// SIGKILL: no shutdown, no flushing, like a power cut for the process.
    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        await exited()
    }

    /// SIGTERM: a graceful shutdown.
    func stop() async {
        Foundation.kill(process.processIdentifier, SIGTERM)
        await exited()
    }

    /// Waits without blocking a thread (waitUntilExit would hold one of the few the
    /// concurrency runtime has).
    private func exited() async {
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        (process.standardOutput as? Pipe)?.fileHandleForReading.readabilityHandler = nil
    }
}

/// What the child process has printed so far.
final class TextBuffer: Sendable {
    private let storage = Mutex("")
    func append(_ text: String) { storage.withLock { $0 += text } }
    var text: String { storage.withLock { $0 } }
}
