import GRDB

extension ConversationRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "conversation"
}
