import Commerce
import Conversation
import VoiceProtocol

extension ServerEvent {
    /// The device events of the dialog's replies: the one place a reply becomes wire events.
    /// `names`: the catalog the cart's lines are named from.
    static func events(for replies: [DialogReply], names catalog: Catalog) -> [ServerEvent] {
        replies.flatMap { reply -> [ServerEvent] in
            switch reply {
            case .say(let prompt): [.init(prompt)]
            case .order(let order): [.order(order)]
            case .cart(let cart): [.cart(cart, names: catalog)]
            case .failed(let failure): [.error(code: .internalError, message: failure.what), .init(DialogReply.prompt(for: failure))]
            case .error(let message): [.error(code: .internalError, message: message)]
            case .handOver(let conversationId): [.handover(conversationId: conversationId)]
            }
        }
    }

    /// Where an order stands, as the device shows it.
    static func order(_ order: OrderRecord) -> ServerEvent {
        .order(id: order.id, status: order.status.rawValue, total: "\(order.total)")
    }

    /// The cart as the device shows it: names, options, prices.
    static func cart(_ cart: Cart, names catalog: Catalog) -> ServerEvent {
        let lines = cart.lines.map { line in
            ServerEvent.CartLine(
                product: line.productId, name: catalog.product(line.productId)?.name ?? line.productId,
                options: line.options.keys.sorted().map { line.options[$0]! }, quantity: line.quantity, total: "\(line.total)")
        }
        return .cart(lines: lines, total: "\(cart.total)")
    }
}
