import CPocketSphinx
import Foundation
import Recognition
import Testing

/// PocketSphinx keeps some state for the whole process; making a decoder must not change it
/// under decoders already at work on other threads.
struct SpeechDecoderTests {
    /// With `-logfn` each new decoder reopened the process-wide log and closed the old FILE
    /// while other decoders could be writing to it: the likely cause of a CI run that aborted.
    @Test func makingADecoderLeavesTheProcessWideLogAlone() async throws {
        let (before, after) = try await Self.onOwnThread {
            _ = try Self.smallDecoder()
            let before = err_get_logfp().map { UInt(bitPattern: $0) }
            _ = try Self.smallDecoder()
            _ = try Self.smallDecoder()
            return (before, err_get_logfp().map { UInt(bitPattern: $0) })
        }
        #expect(after == before, "a new decoder replaced the process-wide log")
        #expect(before == nil, "PocketSphinx's log is off: transcripts never reach a log")
    }

    @Test func anOptionThatChangesTheWholeProcessIsRefused() {
        var configuration = DecoderConfiguration()
        configuration.extraArguments["-logfn"] = "/tmp/pocketsphinx.log"
        #expect(throws: RecognitionError.configuration) { try SpeechDecoder(configuration: configuration) }
    }

    /// Quick to load: the acoustic model and a two-word dictionary.
    static func smallDecoder() throws -> SpeechDecoder {
        let dictionary = FileManager.default.temporaryDirectory.appendingPathComponent("talkshop-\(UUID()).dict")
        try "latte L AA T EY\nmocha M OW K AH\n".write(to: dictionary, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: dictionary) }
        return try SpeechDecoder(configuration: DecoderConfiguration(dictionary: dictionary))
    }

    /// Loading a model blocks for a few tenths of a second: not on the concurrency pool's
    /// threads, which the other tests' servers need meanwhile.
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }
}
