import GRDB

extension AuditEntry: FetchableRecord, PersistableRecord {
    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let action = Column("action")
        static let sequence = Column("sequence")
    }
}
