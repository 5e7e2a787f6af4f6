import Foundation

/// Why a session was not admitted.
public enum SessionRefusal: Error, Equatable, Sendable {
    case tooManyForDevice
    case tooManyInTotal
}
