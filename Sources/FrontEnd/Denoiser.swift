/// A noise suppressor working on 10 ms frames of 48 kHz mono audio at 16-bit scale.
///
/// Not `Sendable`: each wraps a C state that one session uses at a time.
protocol Denoiser: AnyObject {
    /// Samples per frame (480).
    var frameLength: Int { get }
    /// Denoises one frame; `output` has the frame's length.
    func denoise(_ input: [Float], into output: inout [Float])
}

/// Which denoiser the front end runs in a noisy room (docs/recognition.md compares them).
public enum DenoiserKind: String, Sendable, Codable, CaseIterable {
    /// RNNoise (xiph, v0.2 model): a small recurrent network.
    case rnnoise
    /// DeepFilterNet3: a larger network with deep filtering.
    case deepfilter
    /// No denoising: the audio goes to the endpointer as it came.
    case off
}
