import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 + WebSocket child channel with Talkshop's connection gate in front:
/// every accepted connection is counted as unauthenticated (`ConnectionGate`) and must send its
/// request head in time (`RequestHeadTimeoutHandler`); refused upgrades keep their own status
/// (`UpgradeRefusalHandler`, one of the HTTP handlers a connection that was not upgraded gets).
struct GuardedHTTPChannel: ServerChildChannel {
    let inner: HTTP1WebSocketUpgradeChannel
    let gate: ConnectionGate
    let headTimeout: TimeAmount
    let keepAliveTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1WebSocketUpgradeChannel.Value> {
        gate.accepted(channel)
        return inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try pipeline.addHandler(RequestHeadTimeoutHandler(timeout: headTimeout, keepAlive: keepAliveTimeout, gate: gate), position: .after(decoder))
            return value
        }
    }

    func handle(value: HTTP1WebSocketUpgradeChannel.Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}
