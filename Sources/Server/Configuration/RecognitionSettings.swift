import Recognition

/// When an utterance ends and which results are rejected (docs/recognition.md,
/// docs/configuration.md). The denoiser has its own section, `frontEnd`.
public struct RecognitionSettings: Codable, Sendable, Equatable {
    /// Silence that ends an utterance, in milliseconds (default 700, the endpointer's).
    public var trailingSilenceMilliseconds = Self.milliseconds(Endpointer.Configuration().trailingSilence)
    /// Silence that ends it once the words so far are a complete sentence that may go on
    /// ("a large latte", "yes"); 0 (the default): wait the whole trailing silence.
    public var completeSentenceSilenceMilliseconds = Self.milliseconds(Endpointer.Configuration().completeSentenceSilence)
    /// Silence that ends it once no sentence of the grammar goes on from the words ("no",
    /// "where is my order", "… with oat milk and sugar"); 0: wait the whole trailing silence.
    /// Default 250.
    public var finishedSentenceSilenceMilliseconds = Self.milliseconds(Endpointer.Configuration().finishedSentenceSilence)
    /// Device classes whose utterances end sooner on a sentence (the two settings above):
    /// phone lines by default. An always-on speaker hears TV talk, which a shorter silence cuts
    /// into short sentences that pass as commands (2.4 false accepts per hour against 1.2,
    /// docs/recognition.md); a caller speaks into the handset and waits for the reply.
    public var soonerEndDeviceClasses = ["phone"]
    /// Ask general English about accepted utterances that fit the grammar's sentence poorly,
    /// and reject near misses (`GrammarVerifier`), within `nearMissShareOfACore`.
    public var rejectNearMisses = true
    /// The share of one core near-miss verification may use over a minute
    /// (`VerificationBudget`): past it, accepted utterances go unverified, so a busy server
    /// keeps its capacity.
    public var nearMissShareOfACore = 0.05
    /// How long an utterance waits for its verification before going on unverified: on a
    /// loaded machine the niced search can take many times its half second of CPU.
    public var nearMissWaitMilliseconds = Self.milliseconds(VerificationBudget(shareOfACore: 0).longestWait)
    /// Acoustic model files adapted to denoised speech (`scripts/adapt-model.sh`), for the
    /// utterances the front end denoised; "off": the base model for every utterance.
    /// A model adapted on another denoiser's output than `frontEnd.denoiser` is not used.
    public var noisyRoomModel = NoisyRoomModel.defaultSetting

    public init() {}

    /// Keys missing from the file keep their defaults.
    public init(from decoder: any Decoder) throws {
        let defaults = RecognitionSettings()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        trailingSilenceMilliseconds = try container.decode(.trailingSilenceMilliseconds, default: defaults.trailingSilenceMilliseconds)
        completeSentenceSilenceMilliseconds = try container.decode(
            .completeSentenceSilenceMilliseconds, default: defaults.completeSentenceSilenceMilliseconds)
        finishedSentenceSilenceMilliseconds = try container.decode(
            .finishedSentenceSilenceMilliseconds, default: defaults.finishedSentenceSilenceMilliseconds)
        soonerEndDeviceClasses = try container.decode(.soonerEndDeviceClasses, default: defaults.soonerEndDeviceClasses)
        rejectNearMisses = try container.decode(.rejectNearMisses, default: defaults.rejectNearMisses)
        nearMissShareOfACore = try container.decode(.nearMissShareOfACore, default: defaults.nearMissShareOfACore)
        nearMissWaitMilliseconds = try container.decode(.nearMissWaitMilliseconds, default: defaults.nearMissWaitMilliseconds)
        noisyRoomModel = try container.decode(.noisyRoomModel, default: defaults.noisyRoomModel)
    }

    /// The endpointer's configuration for a device of this class (the longest utterance
    /// comes from `limits`).
    public func endpointing(deviceClass: String) -> Endpointer.Configuration {
        var configuration = endpointing
        if !soonerEndDeviceClasses.contains(deviceClass) {
            configuration.completeSentenceSilence = nil
            configuration.finishedSentenceSilence = nil
        }
        return configuration
    }

    /// The near-miss verifier's limits (`VerificationBudget`).
    public var verificationBudget: VerificationBudget {
        VerificationBudget(shareOfACore: nearMissShareOfACore, longestWait: .milliseconds(nearMissWaitMilliseconds))
    }

    /// A default duration as a configuration value (nil: 0, off).
    private static func milliseconds(_ duration: Duration?) -> Int {
        duration.map { Int($0 / .milliseconds(1)) } ?? 0
    }

    /// The endpointer's configuration with the sentence rules as set.
    public var endpointing: Endpointer.Configuration {
        var configuration = Endpointer.Configuration()
        configuration.trailingSilence = .milliseconds(trailingSilenceMilliseconds)
        configuration.setSentenceSilences(
            completeMilliseconds: completeSentenceSilenceMilliseconds, finishedMilliseconds: finishedSentenceSilenceMilliseconds)
        return configuration
    }
}
