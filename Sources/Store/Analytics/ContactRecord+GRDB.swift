import GRDB

extension ContactRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "contact"

    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let endedAt = Column("endedAt")
        static let customerId = Column("customerId")
        static let rebuilt = Column("rebuilt")
    }
}
