import CPocketSphinx
import Foundation

/// One PocketSphinx decoder: an acoustic model and dictionary loaded once, any number of
/// named grammars (searches) to switch between, and decoding of whole utterances or of
/// utterances fed in pieces as they are spoken.
///
/// Cepstral mean normalisation: an utterance decoded whole subtracts its own mean, as
/// `pocketsphinx_batch` does. One fed in pieces cannot know its mean yet and subtracts
/// `cepstralMean`, which PocketSphinx updates from the audio at the end of the utterance and
/// after every 3 s of it. Left alone, that mean would come from whatever the pooled decoder heard
/// last, so a streamed utterance sets it from its own opening (`StreamingUtterance.meanEstimate`).
public final class SpeechDecoder {
    public struct Hypothesis: Sendable, Equatable {
        public var words: [String]
        /// PocketSphinx's path score (log domain, more negative is worse).
        public var score: Int
        public var frames: Int
        /// The best path's segments, words and fillers, in order.
        public var segments: [Segment]

        /// Sum of the segments' acoustic scores (log domain): how well the audio fits the
        /// path's phones, without grammar weights. Comparable between searches.
        public var acousticScore: Int { segments.reduce(0) { $0 + $1.acousticScore } }

        /// Frame ranges (10 ms frames) aligned to silence or noise fillers rather than words.
        public var fillerSegments: [ClosedRange<Int>] { segments.filter(\.isFiller).map(\.frames) }
    }

    /// One word or filler of the best path.
    public struct Segment: Sendable, Equatable {
        public var word: String
        /// 10 ms frames, counted from the utterance's start.
        public var frames: ClosedRange<Int>
        /// How well the audio fits the word's phones (log domain, more negative is worse).
        public var acousticScore: Int
        /// Silence or noise rather than a word.
        public var isFiller: Bool
    }

    public let configuration: DecoderConfiguration
    private let handle: OpaquePointer
    public private(set) var grammars: Set<String> = []
    public private(set) var activeGrammar: String?
    /// The model's starting mean (`-cmninit` in its feat.params), for an opening with no frame.
    public let initialCepstralMean: [Float]

    /// PocketSphinx logs through one process-wide FILE. With `-logfn`, every `ps_init` opened
    /// a new one and closed the one before while decoders on other threads could be writing
    /// to it, and two decoders made at once closed the same FILE twice: a crash that came
    /// rarely, under load, as decoders are made on demand. The log is switched off once,
    /// before the first decoder, and never touched again.
    private static let logSwitchedOff: Void = err_set_logfp(nil)

    public init(configuration: DecoderConfiguration = DecoderConfiguration()) throws(RecognitionError) {
        if let refused = configuration.extraArguments.keys.first(where: DecoderConfiguration.refusedArguments.contains) {
            throw .configuration("the PocketSphinx option \(refused) is not allowed: it changes the whole process, not one decoder")
        }
        Self.logSwitchedOff
        for (what, url) in [("acoustic model", configuration.acousticModel), ("dictionary", configuration.dictionary)]
        where !FileManager.default.fileExists(atPath: url.path) {
            throw .modelMissing("\(what) not found at \(url.path); install pocketsphinx-en-us (scripts/setup.sh)")
        }
        let arguments = ["talkshop"] + configuration.arguments
        var pointers = arguments.map { strdup($0) }
        defer { pointers.forEach { free($0) } }
        let config = pointers.withUnsafeMutableBufferPointer { buffer in
            cmd_ln_parse_r(nil, ps_args(), Int32(buffer.count), buffer.baseAddress, 0)
        }
        guard let config else { throw .configuration("PocketSphinx refused the arguments \(configuration.arguments)") }
        defer { cmd_ln_free_r(config) }
        guard let handle = ps_init(config) else {
            throw .configuration("ps_init failed for model \(configuration.acousticModel.path)")
        }
        self.configuration = configuration
        self.handle = handle
        initialCepstralMean = Self.cepstralMean(of: handle)
    }

    deinit { ps_free(handle) }

    /// Adds (or replaces) a grammar under `name`; every word must be in the dictionary. The
    /// search in use cannot be replaced (PocketSphinx would free it under the decoder).
    public func addGrammar(name: String, jsgf: String) throws(RecognitionError) {
        guard name != activeGrammar else { throw .grammar("the search '\(name)' is in use; activate another before replacing it") }
        let result = ps_set_jsgf_string(handle, name, jsgf)
        guard result == 0 else {
            throw .grammar("PocketSphinx rejected JSGF grammar '\(name)' (code \(result)); check its words are in the dictionary")
        }
        grammars.insert(name)
        if activeGrammar == nil { try activate(name) }
    }

    /// Adds the pronunciations the decoder's dictionary lacks (a grammar's own `.dict` words,
    /// for a decoder that loaded the standard dictionary; `Lexicon.pronunciations`). Call
    /// before adding searches that should know them.
    public func addMissingWords(_ pronunciations: [(word: String, phones: String)]) throws(RecognitionError) {
        for (word, phones) in pronunciations where ps_lookup_word(handle, word) == nil {
            guard ps_add_word(handle, word, phones, 0) >= 0 else { throw .configuration("PocketSphinx refused the word '\(word)' (\(phones))") }
        }
    }

    /// Adds an n-gram language model search under `name` (e.g. Debian's general English
    /// `en-us.lm.bin`); its words must be in the dictionary.
    public func addLanguageModel(name: String, file: URL) throws(RecognitionError) {
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw .modelMissing("language model not found at \(file.path); install pocketsphinx-en-us (scripts/setup.sh)")
        }
        guard ps_set_lm_file(handle, name, file.path) == 0 else { throw .configuration("PocketSphinx could not load the language model \(file.path)") }
        grammars.insert(name)
    }

    /// Switches the search to a grammar (or language model) added before; the acoustic model
    /// stays loaded.
    public func activate(_ name: String) throws(RecognitionError) {
        guard grammars.contains(name) else { throw .unknownSearch("no grammar named '\(name)' on this decoder") }
        guard activeGrammar != name else { return }
        guard ps_set_search(handle, name) == 0 else { throw .unknownSearch("ps_set_search('\(name)') failed") }
        activeGrammar = name
    }

    /// Decodes one whole utterance of 16 kHz mono PCM with the active grammar.
    /// Returns nil when the grammar allows no path through the audio.
    public func decode(utterance samples: [Int16]) throws(RecognitionError) -> Hypothesis? {
        // Once fed in pieces, sphinxbase keeps using the running mean even for whole utterances.
        ps_get_feat(handle).pointee.cmn = CMN_BATCH
        try startUtterance()
        try process(samples, wholeUtterance: true)
        return try endUtterance()
    }

    /// Starts an utterance to be fed in pieces as it is spoken (`process`, then `endUtterance`).
    ///
    /// The front end's noise level (spectral subtraction, silence removal) goes on from the
    /// decoder's earlier utterances: starting a new stream per utterance (`ps_start_stream`)
    /// made commands fit no better and near misses fit much better (docs/recognition.md).
    public func startUtterance() throws(RecognitionError) {
        guard activeGrammar != nil else { throw .unknownSearch("no grammar is active") }
        guard ps_start_utt(handle) == 0 else { throw .decoding("ps_start_utt failed") }
    }

    /// Searches on through more of the utterance's audio.
    ///
    /// Audio fed in pieces goes to PocketSphinx 100 ms at a time, as its own live tools feed
    /// it: given seconds at once (the opening waited for, or audio that queued up on a busy
    /// server), this PocketSphinx generation overfilled its feature buffer and aborted
    /// (`acmod_process_cep` assertion) at 120 load-test streams.
    public func process(_ samples: [Int16], wholeUtterance: Bool = false) throws(RecognitionError) {
        let piece = wholeUtterance ? max(samples.count, 1) : Self.livePiece
        for start in stride(from: 0, to: samples.count, by: piece) {
            let processed = samples[start..<min(start + piece, samples.count)].withUnsafeBufferPointer { buffer in
                ps_process_raw(handle, buffer.baseAddress, buffer.count, 0, wholeUtterance ? 1 : 0)
            }
            guard processed >= 0 else { throw .decoding("ps_process_raw failed (\(processed))") }
        }
    }

    /// 100 ms of 16 kHz audio.
    private static let livePiece = 1_600

    /// The best path so far in the utterance being searched (words only, no fillers).
    public func partialWords() -> [String] {
        var score: Int32 = 0
        guard let text = ps_get_hyp(handle, &score) else { return [] }
        return String(cString: text).split(separator: " ").map(String.init).filter { !Self.isFiller($0) }
    }

    /// Ends the utterance and returns the best path, or nil when the grammar allows none.
    public func endUtterance() throws(RecognitionError) -> Hypothesis? {
        guard ps_end_utt(handle) == 0 else { throw .decoding("ps_end_utt failed") }
        var score: Int32 = 0
        guard let text = ps_get_hyp(handle, &score) else { return nil }
        let words = String(cString: text).split(separator: " ").map(String.init)
        guard !words.isEmpty else { return nil }
        return Hypothesis(words: words, score: Int(score), frames: Int(ps_get_n_frames(handle)), segments: segments())
    }

    /// The mean subtracted from an utterance fed in pieces (13 cepstral coefficients), updated
    /// by the audio searched; setting it restarts the running estimate from it.
    public var cepstralMean: [Float] {
        get { Self.cepstralMean(of: handle) }
        set {
            let normalisation = ps_get_feat(handle).pointee.cmn_struct!
            precondition(newValue.count == Int(normalisation.pointee.veclen), "a cepstral mean has \(normalisation.pointee.veclen) values")
            newValue.withUnsafeBufferPointer { cmn_live_set(normalisation, $0.baseAddress) }
        }
    }

    /// The mean cepstrum of `samples` as this decoder's front end computes it; nil when they
    /// make no frame. Call between utterances (it uses the front end the search uses).
    public func cepstralMean(of samples: [Int16]) -> [Float]? {
        let frontEnd = ps_get_fe(handle)
        let width = Int(fe_get_output_size(frontEnd))
        let rowsPerCall = 64
        var rows = [Float](repeating: 0, count: rowsPerCall * width)
        var sum = [Double](repeating: 0, count: width)
        var frames = 0
        fe_start_utt(frontEnd)
        samples.withUnsafeBufferPointer { pcm in
            rows.withUnsafeMutableBufferPointer { rows in
                var rowPointers: [UnsafeMutablePointer<Float>?] = (0..<rowsPerCall).map { rows.baseAddress! + $0 * width }
                var cursor: UnsafePointer<Int16>? = pcm.baseAddress
                var remaining = pcm.count
                while remaining > 0 {
                    var made = Int32(rowsPerCall)
                    let before = remaining
                    guard fe_process_frames(frontEnd, &cursor, &remaining, &rowPointers, &made, nil) >= 0 else { break }
                    for row in 0..<Int(made) {
                        for column in 0..<width { sum[column] += Double(rows[row * width + column]) }
                    }
                    frames += Int(made)
                    if made == 0 && remaining == before { break }
                }
            }
        }
        // Ends the front end's utterance; its one padded residual frame is left out.
        var residual = [Float](repeating: 0, count: width), made: Int32 = 0
        fe_end_utt(frontEnd, &residual, &made)
        guard frames > 0 else { return nil }
        return sum.map { Float($0 / Double(frames)) }
    }

    private static func cepstralMean(of handle: OpaquePointer) -> [Float] {
        let normalisation = ps_get_feat(handle).pointee.cmn_struct!
        var mean = [Float](repeating: 0, count: Int(normalisation.pointee.veclen))
        mean.withUnsafeMutableBufferPointer { cmn_live_get(normalisation, $0.baseAddress) }
        return mean
    }

    /// Silence and noise fillers: `<sil>`, `[NOISE]`, `+SPN+`, `SIL`.
    private static func isFiller(_ word: String) -> Bool {
        word == "SIL" || word.hasPrefix("<") || word.hasPrefix("[") || word.hasPrefix("+")
    }

    /// The best path's segments. The first segment starts the utterance, so the ranges are made
    /// relative to it (frames once counted on from a decoder's first utterance in live mode).
    private func segments() -> [Segment] {
        var segments: [Segment] = []
        var utteranceStart: Int?
        var segment = ps_seg_iter(handle)
        while let current = segment {
            var acousticScore: Int32 = 0, languageScore: Int32 = 0, backoff: Int32 = 0
            _ = ps_seg_prob(current, &acousticScore, &languageScore, &backoff)
            var start: Int32 = 0, end: Int32 = 0
            ps_seg_frames(current, &start, &end)
            let base = utteranceStart ?? Int(start)
            utteranceStart = base
            if let word = ps_seg_word(current), end >= start {
                let text = String(cString: word)
                segments.append(Segment(
                    word: text, frames: (Int(start) - base)...(Int(end) - base), acousticScore: Int(acousticScore),
                    isFiller: Self.isFiller(text)))
            }
            segment = ps_seg_next(current)
        }
        return segments
    }

}

// The decoder is mutable C state: one task at a time. The pool hands decoders out exclusively.
@available(*, unavailable)
extension SpeechDecoder: Sendable {}
