import Foundation

/// What a spoken PIN came to: right, wrong (with the tries left before the lockout), locked, or none set.
public enum PINCheck: Equatable, Sendable {
    case correct
    case wrong(attemptsLeft: Int)
    case locked(until: Date)
    case notSet
}
