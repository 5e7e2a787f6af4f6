import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Gives a refused WebSocket upgrade its own status and reason. The framework answers every
/// refused upgrade `400 Bad Request` with no body; a speaker must be able to tell "re-provision"
/// (401) from "not from this page" (403) and "back off" (429). The authenticator records the
/// refusal in the `ConnectionGate`; this handler, present only on connections that were not
/// upgraded, rewrites that one response on its way out.
final class UpgradeRefusalHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let gate: ConnectionGate
    /// The refusal's sentence, written as the body before the response ends.
    private var pendingBody: ByteBuffer?

    init(gate: ConnectionGate) { self.gate = gate }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where head.status == .badRequest:
            guard let refusal = gate.refusal(for: context.channel) else { break }
            let body = ByteBuffer(string: refusal.message + "\n")
            head.status = refusal.status
            head.headerFields[.contentLength] = String(body.readableBytes)
            head.headerFields[.contentType] = "text/plain; charset=utf-8"
            if refusal.status == .tooManyRequests { head.headerFields[.retryAfter] = "5" }
            pendingBody = body
            context.write(wrapOutboundOut(.head(head)), promise: promise)
            return
        case .end where pendingBody != nil:
            context.write(wrapOutboundOut(.body(pendingBody!)), promise: nil)
            pendingBody = nil
        default:
            break
        }
        context.write(data, promise: promise)
    }
}
