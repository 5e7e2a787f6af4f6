import Foundation

/// The process's limit on open descriptors: sockets, the database, recordings and decoders
/// all draw on it.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard limit: a thousand sockets need more than the common
    /// default of 1,024.
    public static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The soft limit now (1,024 if it cannot be read).
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// Connections that leave room for everything else: a tenth of the limit, and at least
    /// 128 descriptors, are kept back for the database, recordings, decoders, logs and the
    /// runtime's own threads — running out of them is what crashes a process, not a refused
    /// connection.
    public static var connectionBudget: Int {
        let limit = current
        return max(16, limit - max(128, limit / 10))
    }
}
