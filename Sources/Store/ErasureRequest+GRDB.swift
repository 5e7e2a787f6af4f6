import GRDB

extension ErasureRequest: FetchableRecord, PersistableRecord {
    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let completedAt = Column("completedAt")
        static let requestedAt = Column("requestedAt")
    }
}
