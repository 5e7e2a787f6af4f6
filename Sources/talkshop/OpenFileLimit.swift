import Foundation

enum OpenFileLimit {
    /// Raises the soft limit on open descriptors to the hard limit: a thousand sockets need
    /// more than the common default of 1,024.
    static func raise() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
