import Foundation

/// A customer that cannot be added as given (the id or phone number is taken).
public struct InvalidCustomer: Error, Equatable, CustomStringConvertible {
    public var description: String

    package static func exists(_ id: String) -> InvalidCustomer { InvalidCustomer(description: "customer \(id) exists") }
    package static func phoneTaken(_ phone: String) -> InvalidCustomer { InvalidCustomer(description: "another customer has the phone number \(phone)") }
}
