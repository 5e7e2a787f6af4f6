import AudioCodec
import Commerce
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Server
import Simulators
import Store
import TalkshopTesting

/// A live server on a free port with an in-memory database and one registered device.
enum TestServer {
    struct Context: Sendable {
        var services: TalkshopServices
        /// The services' clock, when the test injected one it moves by hand.
        var clock: ManualClock?
        var port: Int
        var token: String
        var deviceId: String
        var client: any TestClientProtocol
        var url: String { "ws://127.0.0.1:\(port)/v1/voice" }

        // The test server's stores, on its SQLite database, for the tests to set up and check.
        var orders: SQLiteOrderStorage { SQLiteOrderStorage(database: services.database) }
        var customers: SQLiteCustomerStorage { SQLiteCustomerStorage(database: services.database) }
        var devices: SQLiteDeviceStorage { SQLiteDeviceStorage(database: services.database) }
        var catalog: SQLiteCatalogStorage { SQLiteCatalogStorage(database: services.database) }
        var sessions: SQLiteConversationStorage { SQLiteConversationStorage(database: services.database) }
        var staff: SQLiteStaffStorage { SQLiteStaffStorage(database: services.database) }
        /// The turns and retention desk in the server's data directory.
        var recorder: SQLiteTurnStorage { services.stores.turnLog as! SQLiteTurnStorage }
        var retention: RetentionOffice { services.retention }
        /// Sessions open on the server, as its session limits count them.
        var openSessions: Int { (services.registry as? MemorySessionLimits)?.openSessions ?? -1 }

        /// Registers another customer (PIN 1234) with a device; returns the device's token.
        func addCustomer(
            _ id: String, paymentMethod: String = "pm_card_visa", pinRequired: Bool = false, dailyLimit: Int? = nil
        ) throws -> String {
            try customers.add(.init(id: id, name: id, pin: "1234", paymentMethod: (token: paymentMethod, label: "test card")))
            return try devices.register(
                name: "\(id) speaker", customerId: id, pinRequired: pinRequired, dailySpendLimitMinorUnits: dailyLimit
            ).token
        }

        func client(_ token: String? = nil, fast: Bool = true) -> VoiceClient {
            VoiceClient(url: url, token: token ?? self.token, fast: fast)
        }
    }

    static func configuration(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.grammarsDirectory = TestPaths.grammars.path
        configuration.catalogsDirectory = TestPaths.repository.appendingPathComponent("catalogs").path
        configuration.recognition.noisyRoomModel = TestPaths.repository.appendingPathComponent("models/noisy-room").path
        configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-server-\(UUID())").path
        configuration.decoderPoolSize = 2
        configuration.courier = .init(preparing: 0.1, outForDelivery: 0.2, delivered: 0.3)
        // HummingbirdTesting's live client connects when the server starts and can sit idle
        // while a test speaks for longer than the 10 s a first request head may take. The head
        // timeout has tests of its own (ConnectionGateTests), which set it.
        configuration.limits.requestHeadTimeoutSeconds = 600
        adjust(&configuration)
        return configuration
    }

    /// `clock`: a clock the test moves by hand (answer windows, token lifetimes, idle
    /// timeouts); the system clock by default.
    /// `gateway`: a payment provider of the test's (the sandbox by default).
    static func with<T: Sendable>(
        _ adjust: (inout ServerConfiguration) -> Void = { _ in }, clock: ManualClock? = nil, gateway: any PaymentGateway = SandboxPaymentGateway(),
        _ body: @Sendable (Context) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "talkshop.test")
        logger.logLevel = .warning
        let services = try await TalkshopServices.make(
            configuration: configuration(adjust), database: try AppDatabase.inMemory(), gateway: gateway, clock: clock ?? SystemClock(), logger: logger)
        try SQLiteCustomerStorage(database: services.database).add(.init(
            id: "customer-1", name: "Test Customer", pin: "1234", paymentMethod: (token: "pm_card_visa", label: "Visa ending 4242"),
            address: "1 Test Street"))
        let (device, token) = try SQLiteDeviceStorage(database: services.database).register(name: "test speaker", customerId: "customer-1")
        let app = buildApplication(services: services)
        return try await app.test(.live) { client in
            try await body(Context(services: services, clock: clock, port: client.port!, token: token, deviceId: device.id, client: client))
        }
    }

    /// Waits until `condition` holds, checking every 20 ms, for at most `limit`: for what the
    /// server finishes after the client has its answer (closing a session record). Returns
    /// whether it came to hold; a test asserts that, so a slow machine waits longer rather
    /// than failing, and a real fault still fails.
    static func eventually(within limit: Duration = .seconds(10), _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + limit
        while try !condition() {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    static func fixture(_ name: String) throws -> AudioFile {
        let url = TestPaths.audioFixtures.appendingPathComponent(name)
        let bytes = try TestPaths.readBytes(url)
        return AudioFile(bytes: bytes, format: try AudioFormat.detect(header: bytes.prefix(4), fileExtension: url.pathExtension))
    }
}
