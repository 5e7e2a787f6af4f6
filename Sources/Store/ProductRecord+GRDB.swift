import GRDB

extension ProductRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "product"

    /// The columns queries filter and sort by, named once (as the record's properties).
    public enum Columns {
        static let id = Column("id")
    }
}
