import Foundation
import Recognition

/// One result of `bench accuracy --evidence` or `bench false-accepts --evidence`: what the
/// rejection rules saw, for tuning them on data they will not be judged on.
struct EvidenceLine: Encodable {
    var condition: String
    var file: String
    var correct: Bool
    var result: RecognitionResult

    /// Writes the lines as JSON lines and says where.
    static func write(_ lines: [EvidenceLine], to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = try lines.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n")
        try (text + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        print("evidence: \(path)")
    }
}
