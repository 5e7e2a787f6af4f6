import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// The request context of WebSocket upgrades: Hummingbird's, plus the connection, so an
/// upgrade can be marked authenticated (or its refusal recorded) in the `ConnectionGate`.
struct VoiceRequestContext: RequestContext, WebSocketRequestContext {
    var coreContext: CoreRequestContextStorage
    let webSocket: WebSocketHandlerReference<Self>
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        channel = source.channel
    }
}
