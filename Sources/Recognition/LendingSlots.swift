/// The bookkeeping of a pool that lends up to `size` expensive items (decoders, verifiers),
/// made on first demand: idle items, how many exist or are being made, and the borrowers
/// queued while all are lent out. Kept by an actor (`DecoderPool`, `VerifierPool`), which
/// makes the items itself between `reserve()` and `giveBack` (or `unreserve()` on failure).
struct LendingSlots<Item: Sendable> {
    let size: Int
    private var idle: [Item] = []
    /// Items made or being made.
    private(set) var created = 0
    private var waiters: [CheckedContinuation<Item, Never>] = []

    init(size: Int) { self.size = size }

    var idleCount: Int { idle.count }
    var waitingCount: Int { waiters.count }

    /// An idle item, if there is one.
    mutating func takeIdle() -> Item? { idle.popLast() }

    /// Room to make one more item (fewer than `limit`, at most `size`, exist): counted now, so
    /// a borrower arriving while it is made does not make one too.
    mutating func reserve(below limit: Int? = nil) -> Bool {
        guard created < min(size, limit ?? size) else { return false }
        created += 1
        return true
    }

    /// Making a reserved item failed.
    mutating func unreserve() { created -= 1 }

    /// Waits for an item to be given back.
    mutating func wait(_ continuation: CheckedContinuation<Item, Never>) { waiters.append(continuation) }

    /// The longest-waiting borrower gets the item, else it is idle.
    mutating func giveBack(_ item: Item) {
        if waiters.isEmpty { idle.append(item) } else { waiters.removeFirst().resume(returning: item) }
    }
}
