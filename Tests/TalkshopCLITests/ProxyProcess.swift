import Foundation
import PostgresStore
import TalkshopTesting

/// HAProxy from Debian, running deploy/haproxy.cfg in the foreground in front of the nodes.
final class ProxyProcess: Sendable {
    private let process: Process
    private let output = TextBuffer()
    let port: Int

    static let binary = URL(fileURLWithPath: "/usr/sbin/haproxy")

    /// Starts the proxy on a free loopback port in front of `nodes` (host:port each, one to
    /// three, as the sample configuration names) and waits until it answers /healthz.
    init(nodes: [String], timeout: Duration = .seconds(30)) async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw ExternalTool.Failure(description: "haproxy is not installed: scripts/setup.sh --tests installs it")
        }
        port = try FreePort.find()
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["-db", "-f", TestPaths.repository.appendingPathComponent("deploy/haproxy.cfg").path]
        var environment = ProcessInfo.processInfo.environment
        environment["TALKSHOP_PROXY_BIND"] = "127.0.0.1:\(port)"
        for (index, node) in nodes.enumerated() { environment["TALKSHOP_NODE\(index + 1)"] = node }
        // Unused slots stay unset: the configuration leaves their servers out.
        for index in nodes.count..<3 { environment.removeValue(forKey: "TALKSHOP_NODE\(index + 1)") }
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        let output = self.output
        pipe.fileHandleForReading.readabilityHandler = { output.append(String(decoding: $0.availableData, as: UTF8.self)) }
        self.process = process
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while await HTTPProbe.status(of: "http://127.0.0.1:\(port)/healthz") != 200 {
            guard process.isRunning else { throw ExternalTool.Failure(description: "haproxy exited: \(output.text)") }
            guard ContinuousClock.now < deadline else { throw ExternalTool.Failure(description: "haproxy did not answer: \(output.text)") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    var url: String { "ws://127.0.0.1:\(port)/v1/voice" }
    var text: String { output.text }

    func stop() async {
        process.terminate()
        while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        (process.standardOutput as? Pipe)?.fileHandleForReading.readabilityHandler = nil
    }
}


/// The status or body of a GET, nil if nothing answered.
enum HTTPProbe {
    static func status(of url: String, bearer: String? = nil) async -> Int? {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5"]
            + (bearer.map { ["-H", "Authorization: Bearer \($0)"] } ?? []) + [url]
        let pipe = Pipe()
        curl.standardOutput = pipe
        curl.standardError = FileHandle.nullDevice
        guard (try? curl.run()) != nil else { return nil }
        while curl.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        let code = Int(String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) ?? 0
        return code == 0 ? nil : code
    }

    /// The body of a GET, nil if nothing answered.
    static func body(of url: String) async -> String? {
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-s", "-f", "--max-time", "5", url]
        let pipe = Pipe()
        curl.standardOutput = pipe
        curl.standardError = FileHandle.nullDevice
        guard (try? curl.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        curl.waitUntilExit()
        return curl.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
}

extension TestPostgres {
    /// Migrates the database and adds a customer (sandbox Visa, an address) with a device;
    /// returns the device's token. What an operator does with `talkshop db migrate`,
    /// `customers add` and `devices add` before starting nodes on a new database.
    static func shopWithADevice(at location: PostgresLocation, customerId: String) async throws -> String {
        let database = PostgresConnections(location: location)
        try await PostgresMigrator(location: location).migrate()
        try await PostgresCustomerStorage(database: database).add(
            .init(id: customerId, name: customerId, paymentMethod: (token: "pm_card_visa", label: "Visa ending 4242"), address: "1 Main St"))
        return try await PostgresDeviceStorage(database: database).register(
            name: "speaker", customerId: customerId, pinRequired: false, dailySpendLimitMinorUnits: nil, deviceClass: "speaker"
        ).token
    }
}
