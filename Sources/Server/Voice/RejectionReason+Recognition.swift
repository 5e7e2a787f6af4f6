import Recognition
import VoiceProtocol

extension ServerEvent.RejectionReason {
    /// The recogniser's rejection as the wire spells it. Exhaustive: a new kind of rejection
    /// must be given its wire name here.
    init(_ rejection: Rejection) {
        switch rejection {
        case .noSpeech: self = .noSpeech
        case .noMatch: self = .noMatch
        case .lowConfidence: self = .lowConfidence
        }
    }
}
