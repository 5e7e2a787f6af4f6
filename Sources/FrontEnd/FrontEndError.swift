/// Why the front end could not start.
public struct FrontEndError: Error, Equatable, CustomStringConvertible {
    public var description: String

    init(_ description: String) { self.description = description }
}
