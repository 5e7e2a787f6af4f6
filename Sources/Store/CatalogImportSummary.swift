import Foundation

/// What a catalog import did: products added and updated.
public struct CatalogImportSummary: Equatable, Sendable {
    public var added = 0
    public var updated = 0
    package init(added: Int = 0, updated: Int = 0) {
        self.added = added
        self.updated = updated
    }
}
