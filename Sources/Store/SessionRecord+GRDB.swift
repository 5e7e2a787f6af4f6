import GRDB

extension SessionRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "session"

    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let endedAt = Column("endedAt")
    }
}
