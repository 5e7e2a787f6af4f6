import Foundation

/// Locations tests need: the repository, its fixtures, the shared speech data, the CLI binary.
public enum TestPaths {
    /// The package root, found from this source file's location.
    public static let repository: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static var audioFixtures: URL { repository.appendingPathComponent("audio-fixtures") }
    public static var grammars: URL { repository.appendingPathComponent("grammars") }

    /// The 160 real coffee-order recordings (Picovoice benchmark, Apache-2.0, see its NOTICE),
    /// kept in the repository so a fresh clone tests against real speech.
    /// Override with TALKSHOP_SPEECH_DIR.
    public static var coffeeDev: URL {
        if let override = ProcessInfo.processInfo.environment["TALKSHOP_SPEECH_DIR"] {
            return URL(fileURLWithPath: override)
        }
        return repository.appendingPathComponent("speech/coffee-dev")
    }

    /// The built `talkshop` executable: next to the test bundle in `.build/<config>/`.
    public static var talkshopBinary: URL {
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("talkshop")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            directory.deleteLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/talkshop")
    }

    public static func readBytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }
}
