import Conversation
import VoiceProtocol

extension ServerEvent {
    /// A prompt as it goes on the wire.
    init(_ prompt: Prompt) {
        self = .prompt(text: prompt.text, expect: prompt.expect.rawValue)
    }
}
