import Foundation

/// A shop's stores on one database: the SQLite file (one node) or the shared PostgreSQL
/// (several; `init(postgres:)` is in PostgresStore). The server (`NodeStores`), the staff commands and the tests pick one set here, and
/// use only the protocols.
public struct ShopStores: Sendable {
    public var devices: any DeviceStorage
    public var customers: any CustomerStorage
    public var catalog: any CatalogStorage
    public var orders: any OrderStorage
    public var conversations: any ConversationStorage
    public var staff: any StaffStorage
    /// What each contact came to, for the analytics.
    public var contacts: any ContactStorage

    public init(
        devices: any DeviceStorage, customers: any CustomerStorage, catalog: any CatalogStorage, orders: any OrderStorage,
        conversations: any ConversationStorage, staff: any StaffStorage, contacts: any ContactStorage
    ) {
        self.devices = devices
        self.customers = customers
        self.catalog = catalog
        self.orders = orders
        self.conversations = conversations
        self.staff = staff
        self.contacts = contacts
    }

    /// The shop's stores on the node's SQLite file.
    public init(sqlite database: AppDatabase) {
        devices = SQLiteDeviceStorage(database: database)
        customers = SQLiteCustomerStorage(database: database)
        catalog = SQLiteCatalogStorage(database: database)
        orders = SQLiteOrderStorage(database: database)
        conversations = SQLiteConversationStorage(database: database)
        staff = SQLiteStaffStorage(database: database)
        contacts = SQLiteContactStorage(database: database)
    }
}
