import AudioCodec
import Recognition
import Store
import VoiceProtocol

/// Stores a session's turns through the `TurnArchive`: sealed, with their audio where the
/// retention policy and the customer's consent allow. An Opus device's packets are kept
/// while it speaks, so its utterances are stored as they were received.
struct SessionTurns {
    private let services: TalkshopServices
    private let device: Device
    private let sessionId: String
    private var storesAudio = false
    private var packets: ReceivedPackets?

    init(services: TalkshopServices, device: Device, sessionId: String) {
        self.services = services
        self.device = device
        self.sessionId = sessionId
    }

    /// The session started with audio in `codec`. A customer record that cannot be read
    /// counts as no consent: storing less is the safe side of a failed read.
    mutating func begin(codec: AudioCodecName) async {
        let consent = (try? await services.customers.customer(device.customerId))?.audioConsent ?? false
        storesAudio = services.policy.storesAudio && consent
        packets = storesAudio && codec == .opus ? ReceivedPackets() : nil
    }

    /// An audio message and the samples decoded from it.
    mutating func received(_ bytes: [UInt8], samples: Int) {
        packets?.append(bytes, samples: samples)
    }

    /// No utterance is in progress at `position` (samples received): keep enough for the next
    /// utterance's pre-roll, no more.
    mutating func idle(at position: Int) {
        packets?.discard(before: position - recognitionSampleRate)
    }

    /// Stores the turn, with its audio where allowed; a PIN turn (`secret`) keeps neither
    /// words, slots nor audio. The archive does it behind the session.
    func record(
        _ result: RecognitionResult, outcome: TurnOutcome.Kind, secret: Bool, spoken utterance: UtteranceStream.Utterance?, in conversationId: String?
    ) {
        guard let conversationId else { return }
        let turn = Turn(
            conversationId: conversationId, sessionId: sessionId, customerId: device.customerId, deviceClass: device.deviceClass,
            transcript: secret ? nil : result.transcript, intent: result.intent?.name, confidence: result.confidence,
            outcome: TurnOutcome(outcome, pinWithheld: secret).code)
        services.turns.record(turn, audio: secret ? nil : storedAudio(utterance), deviceId: device.id)
    }

    /// An Opus device's utterance as the packets it sent; other codecs' (or packets that cannot
    /// be cut to the utterance) as samples to encode.
    private func storedAudio(_ utterance: UtteranceStream.Utterance?) -> TurnArchive.Audio? {
        guard storesAudio, let utterance else { return nil }
        if let packets, let oggOpus = try? packets.oggOpus(covering: utterance.received) {
            return .oggOpus(oggOpus, seconds: utterance.seconds)
        }
        return .samples(utterance.samples)
    }
}
