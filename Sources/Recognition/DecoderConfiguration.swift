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

    /// The model files an adapted model may replace, by PocketSphinx option: a directory made
    /// by `scripts/adapt-model.sh` holds some of them, and the rest come from the base model.
    public static let adaptationFiles: KeyValuePairs<String, String> = [
        "-mean": "means", "-var": "variances", "-sendump": "sendump", "-mixw": "mixture_weights",
        "-tmat": "transition_matrices", "-mllr": "mllr_matrix",
    ]

    /// This configuration with an adapted model's files (`adaptationFiles`) from `directory`
    /// in place of the base model's. Throws when the directory holds none of them.
    public func adapted(by directory: URL) throws(RecognitionError) -> DecoderConfiguration {
        var adapted = self
        for (option, file) in Self.adaptationFiles {
            let path = directory.appendingPathComponent(file).path
            if FileManager.default.fileExists(atPath: path) { adapted.extraArguments[option] = path }
        }
        guard adapted != self else {
            let files = Self.adaptationFiles.map(\.value).joined(separator: ", ")
            throw .modelMissing("the adapted model \(directory.path) holds none of \(files) (does it exist? make one with scripts/adapt-model.sh)")
        }
        return adapted
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
