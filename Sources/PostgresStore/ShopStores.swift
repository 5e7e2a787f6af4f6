import Foundation
import Store

/// A shop's stores on one database: the SQLite file (one node) or the shared PostgreSQL
/// (several). The server (`NodeStores`), the staff commands and the tests pick one set here, and
/// use only the protocols.
public struct ShopStores: Sendable {
    public var devices: any DeviceDirectory
    public var customers: any CustomerDirectory
    public var catalog: any ProductCatalog
    public var orders: any OrderLedger
    public var conversations: any ConversationLog
    public var staff: any StaffDirectory
    /// What each contact came to, for the analytics.
    public var contacts: any ContactLog

    public init(sqlite database: AppDatabase) {
        devices = DeviceRegistry(database: database)
        customers = CustomerBook(database: database)
        catalog = CatalogStore(database: database)
        orders = OrderBook(database: database)
        conversations = SessionLog(database: database)
        staff = StaffTokens(database: database)
        contacts = ContactBook(database: database)
    }

    public init(postgres database: PostgresConnections) {
        devices = PostgresDeviceRegistry(database: database)
        customers = PostgresCustomerBook(database: database)
        catalog = PostgresCatalogStore(database: database)
        orders = PostgresOrderBook(database: database)
        conversations = PostgresSessionLog(database: database)
        staff = PostgresStaffTokens(database: database)
        contacts = PostgresContactLog(database: database)
    }
}
