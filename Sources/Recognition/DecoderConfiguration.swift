import Foundation

/// What a PocketSphinx decoder loads: the acoustic model, a pronunciation dictionary, and
/// search parameters. Defaults are Debian's pocketsphinx-en-us model.
public struct DecoderConfiguration: Sendable, Equatable {
    public static let debianModelDirectory = URL(fileURLWithPath: "/usr/share/pocketsphinx/model/en-us")

    public var acousticModel: URL
    public var dictionary: URL
    public var sampleRate: Int
    /// Further PocketSphinx options, e.g. `["-beam": "1e-60"]`.
    public var extraArguments: [String: String]

    public init(
        acousticModel: URL = debianModelDirectory.appendingPathComponent("en-us"),
        dictionary: URL = debianModelDirectory.appendingPathComponent("cmudict-en-us.dict"),
        sampleRate: Int = 16_000,
        extraArguments: [String: String] = [:]
    ) {
        self.acousticModel = acousticModel
        self.dictionary = dictionary
        self.sampleRate = sampleRate
        self.extraArguments = extraArguments
    }

    /// The argv PocketSphinx parses. Its own logging goes to /dev/null: transcripts never reach a log.
    var arguments: [String] {
        var arguments = [
            "-hmm", acousticModel.path,
            "-dict", dictionary.path,
            "-samprate", String(sampleRate),
            "-logfn", "/dev/null",
        ]
        for key in extraArguments.keys.sorted() { arguments += [key, extraArguments[key]!] }
        return arguments
    }
}
