import Conversation
import Logging
import Orders
import Store

/// What the dialog and its order desk use of the node: the stores, the order pipeline, the
/// guard's settings and the clock. No recogniser and no socket, so tests drive a conversation
/// with these alone (`DialogRunnerTests`).
struct DialogServices: Sendable {
    let guards: ConfirmationGuard.Settings
    let clock: any WallClock
    let sessions: any ConversationStorage
    let orders: any OrderStorage
    let customers: any CustomerStorage
    let pipeline: OrderPipeline
    /// Links the turns that led to an order to it.
    let turns: TurnArchive
    let broadcasts: BroadcastWatch
    let metrics: Metrics
}

extension TalkshopServices {
    var dialog: DialogServices {
        DialogServices(
            guards: configuration.guards, clock: clock, sessions: sessions, orders: orders, customers: customers, pipeline: pipeline,
            turns: turns, broadcasts: broadcasts, metrics: metrics)
    }
}
