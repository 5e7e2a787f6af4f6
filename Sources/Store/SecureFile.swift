import Foundation

/// Removing files so that their content is gone, not just their name.
enum SecureFile {
    /// Overwrites the file with zeros, flushes that to disk, then unlinks it. Returns
    /// false when the file did not exist. (On copy-on-write or journaling file systems old
    /// blocks may survive; that is why recordings are also encrypted.)
    @discardableResult
    static func destroy(_ url: URL) throws -> Bool {
        let descriptor = Foundation.open(url.path, O_WRONLY)
        guard descriptor >= 0 else {
            if errno == ENOENT { return false }
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        defer { close(descriptor) }
        var info = stat()
        fstat(descriptor, &info)
        let zeros = [UInt8](repeating: 0, count: Int(info.st_size))
        _ = zeros.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        fsync(descriptor)
        guard unlink(url.path) == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        return true
    }

    static func flush(_ url: URL) throws {
        let descriptor = Foundation.open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
        defer { close(descriptor) }
        fsync(descriptor)
    }
}
