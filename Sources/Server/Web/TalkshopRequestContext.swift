import Hummingbird
import NIOCore

/// The request context of plain HTTP routes: Hummingbird's, plus the peer's address, which
/// per-client limits (web session tokens) key on.
struct TalkshopRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
