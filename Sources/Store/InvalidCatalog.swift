import Foundation

/// Products that do not make a catalog (another currency, a negative price), or a stored product that cannot be read.
public struct InvalidCatalog: Error, Equatable, CustomStringConvertible {
    public var description: String
}
