import GRDB

extension Turn: FetchableRecord, MutablePersistableRecord {
    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let conversationId = Column("conversationId")
        static let customerId = Column("customerId")
        static let id = Column("id")
    }
}
