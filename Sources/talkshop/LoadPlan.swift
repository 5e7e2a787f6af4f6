import ArgumentParser
import Benchmarks
import Foundation

/// What every step of a load run shares: the server, the recordings and the pass criteria.
struct LoadPlan: Sendable {
    var url: String
    var token: String
    var utterances: [LoadUtterance]
    var duration: Double
    var pauses: ClosedRange<Double>
    var p99BoundMilliseconds: Double
    var lagBoundMilliseconds: Double
    var seed: UInt64
    var probe: ServerProbe
    /// Each labelled recording's result with the server otherwise idle: right or not.
    var reference: [String: Bool] = [:]

    /// "60s", "2m", "90" → seconds.
    static func seconds(_ text: String) throws -> Double {
        let scale: Double = text.hasSuffix("m") ? 60 : 1
        let number = text.hasSuffix("s") || text.hasSuffix("m") ? String(text.dropLast()) : text
        guard let value = Double(number), value > 0 else { throw ValidationError("a duration looks like 60s, 2m or 90, not '\(text)'") }
        return value * scale
    }

    /// "1-3" → 1...3 (seconds).
    static func range(_ text: String) throws -> ClosedRange<Double> {
        let parts = text.split(separator: "-").map { Double($0) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low >= 0, high >= low else {
            throw ValidationError("--pause looks like 1-3 (seconds), not '\(text)'")
        }
        return low...high
    }

    /// The labels file given, or labels.json beside the recordings when there is one.
    static func labels(_ path: String?, paths: [String]) throws -> [String: CommandLabel] {
        let candidates = path.map { [$0] } ?? paths.map { URL(fileURLWithPath: $0).appendingPathComponent("labels.json").path }
        guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            if let path { throw ValidationError("no labels file at \(path)") }
            return [:]
        }
        return try JSONDecoder().decode([String: CommandLabel].self, from: Data(contentsOf: URL(fileURLWithPath: file)))
    }
}
