/// One part of a labelled set split into `count` parts for cross-validation: a recording
/// belongs to a part by a hash of its file name, so a model adapted on the other parts is
/// tested only on recordings it never heard, and every run splits the same way.
public struct Fold: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        precondition(count >= 2 && (1...count).contains(index), "a fold is K/N with 1 ≤ K ≤ N, N ≥ 2")
        self.index = index
        self.count = count
    }

    /// "2/3" → the second of three parts; nil for anything else.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 2, (1...count).contains(index)
        else { return nil }
        self.init(index: index, count: count)
    }

    public var description: String { "\(index)/\(count)" }

    /// Whether the recording named `fileName` is in this part.
    public func contains(_ fileName: String) -> Bool {
        Int(Self.fnv1a(fileName) % UInt64(count)) == index - 1
    }

    /// FNV-1a, 64 bit: stable across runs and platforms, unlike `Hasher`.
    static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
