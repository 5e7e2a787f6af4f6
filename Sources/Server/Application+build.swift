import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
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
    let limits = configuration.limits
    let authenticator = DeviceAuthenticator(services: services)
    let connectionLimit = limits.maxConnections > 0 ? limits.maxConnections : OpenFileLimit.connectionBudget
    // At most half the connections may be unauthenticated, so a flood of them can never fill
    // the limit and pause accepting (eviction, which keeps the door open, works on accept).
    let gate = ConnectionGate(
        maxUnauthenticated: max(1, min(limits.maxUnauthenticatedConnections, connectionLimit / 2)), metrics: services.metrics,
        logger: services.logger)

    // Whether the device may open another session now (checked before a WebSocket upgrade).
    // A failed count lets the upgrade go on; `admit` in the session decides then.
    let hasRoom: @Sendable (Device) async -> Bool = { device in (try? await services.registry.canAdmit(deviceId: device.id)) ?? true }

    let admissions = UpgradeAdmissions(limits: services.registry)

    let router = Router(context: TalkshopRequestContext.self)
    // Requests by route, method and status, and their durations, through swift-metrics: on
    // `/metrics` once `serve` has made the server's registry the process's backend.
    router.add(middleware: MetricsMiddleware())
    // Liveness: the process answers. Readiness: it can also reach its stores, so a load
    // balancer sends it customers (deploy/haproxy.cfg checks this one).
    router.get("/healthz") { _, _ in "ok\n" }
    router.get("/readyz") { _, _ -> Response in
        guard services.stores.readiness.isReady else {
            return Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "not ready: the shared database does not answer\n")))
        }
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
    }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
            body: .init(byteBuffer: ByteBuffer(string: services.metrics.render())))
    }
    // Reached when the WebSocket upgrade was declined: say why, with the right status.
    router.get("/v1/voice") { request, _ -> Response in
        switch await authenticator.check(request) {
        case .refused(let status, let message):
            return Response(status: status, body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
        case .allowed(let device, _):
            if await !hasRoom(device) {
                return Response(status: .tooManyRequests, body: .init(byteBuffer: ByteBuffer(string: "too many sessions\n")))
            }
            return Response(status: .upgradeRequired, body: .init(byteBuffer: ByteBuffer(string: "use a WebSocket upgrade\n")))
        }
    }

    AdminAPI(services: services).register(on: router)
    WebPage(services: services).register(on: router)

    let webSocketRouter = Router(context: VoiceRequestContext.self)
    webSocketRouter.ws("/v1/voice") { request, context in
        // A refusal goes out with its own status (401, 403, 429), not the framework's 400.
        switch await authenticator.check(request) {
        case .refused(let status, let message):
            gate.refuse(context.channel, status, message)
            return .dontUpgrade
        case .allowed(let device, let webTokenHash):
            // The session's slot is taken now, before the upgrade, so a device over its limit
            // hears 429 rather than a 101 closed at once. A failed count lets the upgrade go
            // on; the session then admits itself.
            var slot: SessionSlot?
            do {
                slot = try await services.registry.admit(deviceId: device.id)
            } catch is SessionRefusal {
                gate.refuse(context.channel, .tooManyRequests, "too many sessions")
                return .dontUpgrade
            } catch {
                services.logger.error("counting the session before its upgrade failed", metadata: ["error": "\(error)"])
            }
            admissions.hold(.init(device: device, webTokenHash: webTokenHash, slot: slot), for: context.channel)
            await checkMasks(context.channel, logger: services.logger)
            return .upgrade(DeviceAuthenticator.acceptedProtocol(for: request))
        }
    } onUpgrade: { inbound, outbound, context in
        // Authenticated once, before the upgrade: the session starts with what that check admitted.
        guard let admission = admissions.take(for: context.requestContext.channel) else { return }
        gate.authenticated(context.requestContext.channel)
        try await VoiceConnection(services: services, device: admission.device, webTokenHash: admission.webTokenHash)
            .run(inbound: inbound, outbound: outbound, admitted: admission.slot)
    }

    // Phone bridges authenticate inside the stream (the line's token is a custom parameter
    // of `start`), as Twilio cannot send headers; PhoneCall checks it before anything else.
    webSocketRouter.ws("/v1/twilio") { _, context in
        await checkMasks(context.channel, logger: services.logger)
        return .upgrade([:])
    } onUpgrade: { inbound, outbound, context in
        try await PhoneCall(services: services, wire: TwilioWire()) { gate.authenticated(context.requestContext.channel) }
            .run(inbound: inbound, outbound: outbound)
    }
    webSocketRouter.ws("/v1/phone") { _, context in
        await checkMasks(context.channel, logger: services.logger)
        return .upgrade([:])
    } onUpgrade: { inbound, outbound, context in
        try await PhoneCall(services: services, wire: L16Wire()) { gate.authenticated(context.requestContext.channel) }
            .run(inbound: inbound, outbound: outbound)
    }
    for path in ["/v1/twilio", "/v1/phone"] {
        router.get(RouterPath(path)) { _, _ -> Response in
            Response(status: .upgradeRequired, body: .init(byteBuffer: ByteBuffer(string: "use a WebSocket upgrade (docs/phone.md)\n")))
        }
    }

    // Text frames must be UTF-8 (RFC 6455 §8.1: close 1007 otherwise).
    let webSocket = WebSocketServerConfiguration(
        maxFrameSize: limits.maxMessageBytes,
        autoPing: .enabled(timePeriod: .milliseconds(Int(limits.pingIntervalSeconds * 1_000))), validateUTF8: true)
    let webSocketResponder = webSocketRouter.buildResponder()
    let server = HTTPServerBuilder { responder in
        GuardedHTTPChannel(
            inner: HTTP1WebSocketUpgradeChannel(
                responder: responder, webSocketResponder: webSocketResponder,
                configuration: .init(http1: .init(additionalChannelHandlers: [UpgradeRefusalHandler(gate: gate)]), ws: webSocket)),
            gate: gate, headTimeout: .milliseconds(Int64(limits.requestHeadTimeoutSeconds * 1_000)),
            keepAliveTimeout: .milliseconds(Int64(limits.keepAliveTimeoutSeconds * 1_000)))
    }
    let budget = ConnectionBudget(limit: connectionLimit, metrics: services.metrics, logger: services.logger)
    return Application(
        router: router,
        server: server,
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port), serverName: "talkshop", availableConnectionsDelegate: budget),
        services: [
            OrderUpdateFeed(services: services), FulfilmentService(services: services, courier: services.courier),
            RetentionSweeper(services: services), RevocationWatch(services: services), ReadinessProbe(services: services),
        ],
        onServerRunning: onServerRunning,
        logger: services.logger)
}

/// Puts `ClientFrameMaskCheck` in front of a connection that is about to be upgraded. A channel
/// that is already closing cannot take it, and needs no check.
private func checkMasks(_ channel: any Channel, logger: Logger) async {
    do {
        // Made on the channel's event loop, where the handler lives: it is not Sendable.
        try await channel.eventLoop.submit { try channel.pipeline.syncOperations.addHandler(ClientFrameMaskCheck(), position: .first) }.get()
    } catch {
        logger.debug("no mask check on a closing connection", metadata: ["error": "\(error)"])
    }
}
