/// "The usual": a customer's pinned order, or else what they ordered most often (ties go to
/// the most recent).
public enum UsualOrder {
    /// `history` newest first, each entry an order's lines.
    public static func pick(pinned: [Cart.Line]?, history: [[Cart.Line]]) -> [Cart.Line]? {
        if let pinned, !pinned.isEmpty { return pinned }
        var counts: [String: Int] = [:]
        for lines in history { counts[Cart.signature(of: lines), default: 0] += 1 }
        // max(by:) keeps the first of equal elements; history is newest first.
        return history.filter { !$0.isEmpty }.max { counts[Cart.signature(of: $0)]! < counts[Cart.signature(of: $1)]! }
    }
}
