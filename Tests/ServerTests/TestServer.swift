import AudioCodec
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Server
import Store
import TalkshopTesting

/// A live server on a free port with an in-memory database and one registered device.
enum TestServer {
    struct Context: Sendable {
        var services: TalkshopServices
        var port: Int
        var token: String
        var deviceId: String
        var client: any TestClientProtocol
        var url: String { "ws://127.0.0.1:\(port)/v1/voice" }
    }

    static func configuration(_ adjust: (inout ServerConfiguration) -> Void = { _ in }) -> ServerConfiguration {
        var configuration = ServerConfiguration()
        configuration.port = 0
        configuration.grammarsDirectory = TestPaths.grammars.path
        configuration.catalogsDirectory = TestPaths.repository.appendingPathComponent("catalogs").path
        configuration.dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-server-\(UUID())").path
        configuration.decoderPoolSize = 2
        adjust(&configuration)
        return configuration
    }

    static func with<T: Sendable>(
        _ adjust: (inout ServerConfiguration) -> Void = { _ in }, _ body: @Sendable (Context) async throws -> T
    ) async throws -> T {
        var logger = Logger(label: "talkshop.test")
        logger.logLevel = .warning
        let services = try TalkshopServices.make(configuration: configuration(adjust), database: try AppDatabase.inMemory(), logger: logger)
        let (device, token) = try services.devices.register(name: "test speaker", customerId: "customer-1")
        let app = buildApplication(services: services)
        return try await app.test(.live) { client in
            try await body(Context(services: services, port: client.port!, token: token, deviceId: device.id, client: client))
        }
    }

    static func fixture(_ name: String) throws -> AudioFile {
        let url = TestPaths.audioFixtures.appendingPathComponent(name)
        let bytes = try TestPaths.readBytes(url)
        return AudioFile(bytes: bytes, format: try AudioFormat.detect(header: bytes.prefix(4), fileExtension: url.pathExtension))
    }
}
