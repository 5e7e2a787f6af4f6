/// Lets several test clients meet: each `arrive()` waits until `count` have arrived.
actor Barrier {
    private let count: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(_ count: Int) { self.count = count }

    func arrive() async {
        arrived += 1
        if arrived == count {
            for continuation in waiting { continuation.resume() }
            waiting = []
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }
}

/// Lets test clients take turns in a fixed order: `wait(for: i)` returns once turns 0…i-1
/// have each called `done()`.
actor Turns {
    private var current = 0
    private var waiting: [Int: CheckedContinuation<Void, Never>] = [:]

    func wait(for turn: Int) async {
        if turn == current { return }
        await withCheckedContinuation { waiting[turn] = $0 }
    }

    func done() {
        current += 1
        waiting.removeValue(forKey: current)?.resume()
    }
}
