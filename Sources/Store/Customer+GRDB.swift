import GRDB

extension Customer: FetchableRecord, PersistableRecord {
    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let createdAt = Column("createdAt")
        static let phone = Column("phone")
    }
}
