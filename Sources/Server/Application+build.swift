import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import Store

/// Builds the HTTP + WebSocket application. Tests call this directly (on port 0).
public func buildApplication(
    services: TalkshopServices, onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let configuration = services.configuration
    let authenticator = DeviceAuthenticator(services: services)

    let router = Router()
    router.get("/healthz") { _, _ in "ok\n" }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: services.metrics.render())))
    }
    // Reached when the WebSocket upgrade was declined: say why, with the right status.
    router.get("/v1/voice") { request, _ -> Response in
        switch authenticator.check(request) {
        case .refused(let status, let message):
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
        case .allowed(let device):
            if !services.registry.canAdmit(deviceId: device.id) {
                return Response(status: .tooManyRequests, body: .init(byteBuffer: ByteBuffer(string: "too many sessions\n")))
            }
            return Response(status: .upgradeRequired, body: .init(byteBuffer: ByteBuffer(string: "use a WebSocket upgrade\n")))
        }
    }

    AdminAPI(services: services).register(on: router)
    WebPage(services: services).register(on: router)

    let webSocketRouter = Router(context: BasicWebSocketRequestContext.self)
    webSocketRouter.ws("/v1/voice") { request, _ in
        guard case .allowed(let device) = authenticator.check(request) else { return .dontUpgrade }
        return services.registry.canAdmit(deviceId: device.id) ? .upgrade(DeviceAuthenticator.acceptedProtocol(for: request)) : .dontUpgrade
    } onUpgrade: { inbound, outbound, context in
        guard case .allowed(let device) = authenticator.check(context.request) else { return }
        try await VoiceConnection(services: services, device: device).run(inbound: inbound, outbound: outbound)
    }

    // Phone bridges authenticate inside the stream (the line's token is a custom parameter
    // of `start`), as Twilio cannot send headers; PhoneCall checks it before anything else.
    webSocketRouter.ws("/v1/twilio") { _, _ in .upgrade([:]) } onUpgrade: { inbound, outbound, _ in
        await PhoneCall(services: services, wire: TwilioWire()).run(inbound: inbound, outbound: outbound)
    }
    webSocketRouter.ws("/v1/phone") { _, _ in .upgrade([:]) } onUpgrade: { inbound, outbound, _ in
        await PhoneCall(services: services, wire: L16Wire()).run(inbound: inbound, outbound: outbound)
    }
    for path in ["/v1/twilio", "/v1/phone"] {
        router.get(RouterPath(path)) { _, _ -> Response in
            Response(status: .upgradeRequired, body: .init(byteBuffer: ByteBuffer(string: "use a WebSocket upgrade (docs/phone.md)\n")))
        }
    }

    let limits = configuration.limits
    let webSocket = WebSocketServerConfiguration(
        maxFrameSize: limits.maxMessageBytes,
        autoPing: .enabled(timePeriod: .milliseconds(Int(limits.pingIntervalSeconds * 1_000))))
    return Application(
        router: router,
        server: .http1WebSocketUpgrade(webSocketRouter: webSocketRouter, configuration: .init(ws: webSocket)),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "talkshop"),
        services: [
            OrderUpdateFeed(services: services), FulfilmentService(services: services, courier: services.courier),
            RetentionSweeper(services: services),
        ],
        onServerRunning: onServerRunning,
        logger: services.logger)
}
