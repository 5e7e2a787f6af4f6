import Foundation

enum Console {
    /// Writes a line straight to standard output, unbuffered, so piped output (logs, tests)
    /// sees it at once and in order with other writers.
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Progress of a long run, on standard error so the figures on standard output stay clean.
    static func progress(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
