import GRDB

extension LegalHold: FetchableRecord, PersistableRecord {
    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let placedAt = Column("placedAt")
        static let releasedAt = Column("releasedAt")
    }
}
