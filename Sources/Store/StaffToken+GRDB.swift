import GRDB

extension StaffToken: FetchableRecord, PersistableRecord {
    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let createdAt = Column("createdAt")
        static let revokedAt = Column("revokedAt")
        static let tokenHash = Column("tokenHash")
    }
}
