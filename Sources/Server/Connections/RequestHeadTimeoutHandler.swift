import NIOCore
import NIOHTTP1

/// Closes a connection whose request head does not arrive in time: the first within
/// `timeout` of connecting, each later one within `keepAlive` of the previous response (a
/// keep-alive connection waiting for its next request). A slow sender — one header byte every
/// few seconds — is closed like a silent one. Sits right after the HTTP decoder; it leaves the
/// pipeline when a WebSocket upgrade request's head arrives, before the upgrade replaces the
/// HTTP handlers.
final class RequestHeadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let timeout: TimeAmount
    private let keepAlive: TimeAmount
    private let gate: ConnectionGate
    private var timer: Scheduled<Void>?

    init(timeout: TimeAmount, keepAlive: TimeAmount, gate: ConnectionGate) {
        self.timeout = timeout
        self.keepAlive = keepAlive
        self.gate = gate
    }

    func handlerAdded(context: ChannelHandlerContext) {
        arm(context, for: timeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            timer?.cancel()
            timer = nil
            if head.headers.contains(name: "upgrade") {
                // From here the upgrade (or its refusal, which closes the connection) takes over.
                context.fireChannelRead(data)
                context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
                return
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context, for: keepAlive) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext, for limit: TimeAmount) {
        timer?.cancel()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        let gate = self.gate
        timer = context.eventLoop.scheduleTask(in: limit) {
            gate.headTimedOut()
            ConnectionGate.close(loopBound.value.channel)
        }
    }
}
