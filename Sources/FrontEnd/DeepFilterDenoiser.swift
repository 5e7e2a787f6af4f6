import CDeepFilter
import Foundation

/// DeepFilterNet3 with the model file installed by scripts/setup.sh.
final class DeepFilterDenoiser: Denoiser {
    private let state: OpaquePointer
    let frameLength: Int
    private var scaled: [Float]

    /// `model`: the model's tar.gz. The library aborts on a model it cannot read, so the path
    /// is checked here first.
    init(model: String) throws(FrontEndError) {
        guard FileManager.default.isReadableFile(atPath: model) else {
            throw FrontEndError("the DeepFilterNet model \(model) is missing: run scripts/setup.sh")
        }
        // No limit on the suppression (100 dB): a 35 dB limit scored the same within a clip or
        // two, 20 dB far worse (docs/recognition.md).
        guard let state = df_create(model, 100, nil) else { throw FrontEndError("DeepFilterNet could not be created from \(model)") }
        self.state = state
        frameLength = df_get_frame_length(state)
        scaled = [Float](repeating: 0, count: frameLength)
    }

    deinit { df_free(state) }

    /// The library works on samples in [-1, 1].
    func denoise(_ input: [Float], into output: inout [Float]) {
        for index in 0..<frameLength { scaled[index] = input[index] / 32_768 }
        scaled.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                _ = df_process_frame(state, source.baseAddress, target.baseAddress)
            }
        }
        for index in 0..<frameLength { output[index] *= 32_768 }
    }
}
