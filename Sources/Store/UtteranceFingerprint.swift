import Crypto
import Foundation

/// SHA-256 of an utterance's samples. A live microphone never produces the same samples
/// twice, so a match means the same audio was sent again: a replayed stream.
public enum UtteranceFingerprint {
    public static func of(_ samples: [Int16]) -> String {
        let digest = samples.withUnsafeBytes { SHA256.hash(data: $0) }
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
