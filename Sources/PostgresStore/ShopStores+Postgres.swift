import Store

extension ShopStores {
    /// The shop's stores on the shared PostgreSQL database.
    public init(postgres database: PostgresConnections) {
        self.init(
            devices: PostgresDeviceStorage(database: database), customers: PostgresCustomerStorage(database: database),
            catalog: PostgresCatalogStorage(database: database), orders: PostgresOrderStorage(database: database),
            conversations: PostgresConversationStorage(database: database), staff: PostgresStaffStorage(database: database),
            contacts: PostgresContactStorage(database: database))
    }
}
