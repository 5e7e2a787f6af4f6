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

    /// Beams wider than PocketSphinx's defaults: on the coffee recordings they got one more
    /// command right (155/160 against 154) for 25% more CPU, still within pocketsphinx_batch's
    /// time on the same audio (docs/recognition.md).
    /// Dither keeps digital silence from a muted microphone or synthesized audio from
    /// producing degenerate features. The seed makes one decoder's results reproduce; the
    /// random stream is process-wide in sphinxbase, so decoders running at once share it.
    public static let defaultSearchArguments = [
        "-beam": "1e-80", "-wbeam": "1e-60", "-pbeam": "1e-80", "-dither": "yes", "-seed": "1",
    ]

    public init(
        acousticModel: URL = debianModelDirectory.appendingPathComponent("en-us"),
        dictionary: URL = debianModelDirectory.appendingPathComponent("cmudict-en-us.dict"),
        sampleRate: Int = 16_000,
        extraArguments: [String: String] = defaultSearchArguments
    ) {
        self.acousticModel = acousticModel
        self.dictionary = dictionary
        self.sampleRate = sampleRate
        self.extraArguments = extraArguments
    }

    /// Options that would change process-wide state rather than one decoder's.
    static let refusedArguments: Set<String> = ["-logfn"]

    /// The argv PocketSphinx parses. Its logging is off for the whole process
    /// (`SpeechDecoder`): transcripts never reach a log.
    var arguments: [String] {
        var arguments = [
            "-hmm", acousticModel.path,
            "-dict", dictionary.path,
            "-samprate", String(sampleRate),
        ]
        for key in extraArguments.keys.sorted() { arguments += [key, extraArguments[key]!] }
        return arguments
    }
}
