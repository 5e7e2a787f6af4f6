import AudioCodec
import Grammar
import Foundation

/// Finds where an utterance starts and ends in a stream of short PCM frames.
///
/// A pure state machine (no I/O, no clock): feed it frames of 10–20 ms in order and it says
/// when speech started and why it ended. Speech is frame energy above an adaptive noise
/// floor. The utterance ends only after `trailingSilence` without speech, so a customer who
/// pauses mid-command ("a large latte … with oat milk") stays in one utterance — or after a
/// shorter silence once the caller says the words so far are a whole sentence of the grammar
/// (`sentence`); it also ends
/// at `maxUtterance`, on the client's explicit end of speech, or as "no speech" when nothing
/// was said within `noSpeechTimeout`.
public struct Endpointer: Sendable {
    public struct Configuration: Sendable, Equatable {
        /// Silence that ends an utterance.
        public var trailingSilence: Duration = .milliseconds(700)
        /// Silence that ends it once the words so far are a complete sentence that may go on
        /// ("a large latte", "yes"). Nil (the default): they wait the whole `trailingSilence`,
        /// because customers pause before "with oat milk": at 350 ms, 3–4% of the dev
        /// recordings were cut there (docs/recognition.md).
        public var completeSentenceSilence: Duration? = nil
        /// Silence that ends it once no sentence goes on from the words ("no", "… with oat
        /// milk and sugar"). Replies 450 ms sooner than `trailingSilence`: what a caller notices.
        public var finishedSentenceSilence: Duration? = .milliseconds(250)
        /// How long to wait for speech to begin.
        public var noSpeechTimeout: Duration = .seconds(8)
        /// The longest utterance; longer speech is cut here.
        public var maxUtterance: Duration = .seconds(15)
        /// Speech must last this long to count as started (clicks and pops do not).
        public var minimumSpeech: Duration = .milliseconds(100)
        /// Audio kept from before the detected start, so soft first phonemes are not lost.
        public var preRoll: Duration = .milliseconds(300)
        /// How far above the noise floor a frame must be to start speech, in dB.
        public var speechThresholdDecibels: Double = 9
        /// How far above the floor a frame must be to continue speech once started (hysteresis,
        /// so quiet syllables in noise do not count as the end).
        public var continueThresholdDecibels: Double = 5
        /// The noise floor is the quietest frame of this recent window.
        public var noiseWindow: Duration = .seconds(1)
        /// Frames quieter than this (dBFS) are never speech, whatever the floor.
        public var absoluteFloorDecibels: Double = -55

        public init() {}

        /// Sets the two sentence silences from milliseconds, as configuration files and flags
        /// give them (0: off).
        public mutating func setSentenceSilences(completeMilliseconds: Int, finishedMilliseconds: Int) {
            completeSentenceSilence = completeMilliseconds > 0 ? .milliseconds(completeMilliseconds) : nil
            finishedSentenceSilence = finishedMilliseconds > 0 ? .milliseconds(finishedMilliseconds) : nil
        }

        /// Whether the caller should tell the endpointer how complete the sentence is.
        public var endsSentencesSooner: Bool { completeSentenceSilence != nil || finishedSentenceSilence != nil }
    }

    public enum Event: Sendable, Equatable {
        /// Speech began; `preRollFrames` frames before this one belong to the utterance too.
        case speechStarted(preRollFrames: Int)
        case speechEnded(EndReason)
        /// Nothing was said within the timeout.
        case noSpeech
    }

    public enum EndReason: String, Sendable, Equatable {
        case silence
        /// The shorter silence after a complete sentence.
        case completeSentence = "complete_sentence"
        case maxLength = "max_length"
        case client
    }

    public enum State: Sendable, Equatable {
        case waiting
        case inSpeech
        case ended
    }

    public let configuration: Configuration
    public let frameDuration: Duration
    public private(set) var state: State = .waiting
    /// Set by the caller from the search's best path so far.
    public var sentence = SentenceCompleteness.incomplete
    private var framesSeen = 0
    private var speechRun = 0
    private var silenceRun = 0
    private var speechFrames = 0
    /// The quietest frame of the last `noiseWindow`, learnt while waiting for speech.
    private var floor: NoiseFloor

    public init(configuration: Configuration = Configuration(), frameDuration: Duration = .milliseconds(20)) {
        self.configuration = configuration
        self.frameDuration = frameDuration
        floor = NoiseFloor(frames: Int((configuration.noiseWindow / frameDuration).rounded(.up)))
    }

    /// Silence since the last speech frame of the utterance being spoken (zero outside one).
    public var silenceSoFar: Duration { state == .inSpeech ? frameDuration * silenceRun : .zero }

    private func frames(_ duration: Duration) -> Int {
        Int((duration / frameDuration).rounded(.up))
    }

    /// The current noise floor estimate in dBFS.
    public var noiseFloorDecibels: Double? { floor.decibels }

    /// Feeds one frame's level (see `Self.level(of:)`); returns what happened, if anything.
    public mutating func process(frameDecibels level: Double) -> Event? {
        guard state != .ended else { return nil }
        framesSeen += 1
        let noise = floor.decibels ?? level
        // The floor is learnt only while waiting for speech: speech must not raise it.
        if state == .waiting { floor.remember(level) }
        let threshold = state == .inSpeech ? configuration.continueThresholdDecibels : configuration.speechThresholdDecibels
        let isSpeech = level > configuration.absoluteFloorDecibels && level > noise + threshold

        switch state {
        case .waiting:
            speechRun = isSpeech ? speechRun + 1 : 0
            if speechRun >= max(1, frames(configuration.minimumSpeech)) {
                state = .inSpeech
                speechFrames = speechRun
                silenceRun = 0
                return .speechStarted(preRollFrames: speechRun - 1 + frames(configuration.preRoll))
            }
            if framesSeen >= frames(configuration.noSpeechTimeout) {
                state = .ended
                return .noSpeech
            }
        case .inSpeech:
            speechFrames += 1
            silenceRun = isSpeech ? 0 : silenceRun + 1
            if silenceRun >= frames(configuration.trailingSilence) {
                state = .ended
                return .speechEnded(.silence)
            }
            if let short = sentenceSilence, silenceRun >= frames(short) {
                state = .ended
                return .speechEnded(.completeSentence)
            }
            if speechFrames >= frames(configuration.maxUtterance) {
                state = .ended
                return .speechEnded(.maxLength)
            }
        case .ended:
            break
        }
        return nil
    }

    /// The silence that ends the utterance now, if shorter than `trailingSilence`.
    private var sentenceSilence: Duration? {
        switch sentence {
        case .incomplete: nil
        case .complete: configuration.completeSentenceSilence
        case .finished: configuration.finishedSentenceSilence
        }
    }

    /// The client says the customer stopped talking (push-to-talk released).
    public mutating func clientEndedSpeech() -> Event {
        let wasSpeaking = state == .inSpeech
        state = .ended
        return wasSpeaking ? .speechEnded(.client) : .noSpeech
    }

    /// A frame's RMS level in dBFS (full scale = 0 dB; digital silence = -100).
    public static func level(of frame: some Collection<Int16>) -> Double {
        NoiseFloor.level(of: frame)
    }
}
