import Commerce
import Foundation
import Logging
import PostgresNIO
import Store

/// A stored value this version does not know (written by a newer Talkshop).
struct UnknownValue: Error, CustomStringConvertible {
    var value: String
    init(_ value: String) { self.value = value }
    var description: String { "unknown value '\(value)'" }
}
