import ArgumentParser
import Benchmarks
import Foundation

/// Expands command-line paths: a directory stands for the audio files in it.
enum AudioFiles {
    static let extensions: Set<String> = ["opus", "ogg", "wav", "ul", "ulaw", "mulaw", "raw", "l16", "pcm"]

    static func expand(_ paths: [String]) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ValidationError("no such file or directory: \(path)")
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
                files += names.filter { extensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }
                    .map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
            } else {
                files.append(path)
            }
        }
        guard !files.isEmpty else { throw ValidationError("no audio files in \(paths.joined(separator: ", "))") }
        return files
    }

    /// The recordings of `paths` with a label in the labels file, those whose file name `keep`
    /// accepts (a cross-validation part), with the labels by file name.
    static func labelled(
        _ labelsFile: String, paths: [String], keep: (String) -> Bool = { _ in true }
    ) throws -> (files: [String], labels: [String: CommandLabel]) {
        let labels = try JSONDecoder().decode([String: CommandLabel].self, from: Data(contentsOf: URL(fileURLWithPath: labelsFile)))
        let files = try expand(paths).filter {
            let name = URL(fileURLWithPath: $0).lastPathComponent
            return labels[name] != nil && keep(name)
        }
        return (files, labels)
    }
}

/// Progress on standard error, so standard output stays clean for results.
enum Progress {
    static func report(_ done: Int, of total: Int, _ what: String) {
        guard done == total || done % max(1, total / 20) == 0 else { return }
        FileHandle.standardError.write(Data("\r\(what): \(done)/\(total)".utf8))
        if done == total { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
