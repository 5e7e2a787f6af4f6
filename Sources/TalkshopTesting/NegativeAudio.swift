import Foundation

/// The 50 minutes of non-command audio (TV talk, music, noise, babble, silence) that
/// `audio-fixtures/negative/generate.sh` builds. Not committed: made on first use (about a
/// minute), then reused.
public enum NegativeAudio {
    public static var directory: URL { TestPaths.audioFixtures.appendingPathComponent("negative/generated") }

    /// The generated files, building them first if they are missing.
    public static func files() async throws -> [URL] {
        if try existing().count < expectedCount {
            let result = try await ExternalTool(named: "bash").runDetached([
                TestPaths.audioFixtures.appendingPathComponent("negative/generate.sh").path,
            ])
            guard result.status == 0 else {
                throw ExternalTool.Failure(description: "negative/generate.sh failed: \(result.standardError)")
            }
        }
        return try existing()
    }

    /// talk × 8, music × 4, noise × 3, babble, silence.
    static let expectedCount = 17

    static func existing() throws -> [URL] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "opus" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
