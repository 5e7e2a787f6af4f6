import CRNNoise

/// RNNoise with its built-in model.
final class RNNoiseDenoiser: Denoiser {
    private let state: OpaquePointer
    let frameLength: Int

    init() throws(FrontEndError) {
        guard let state = rnnoise_create(nil) else { throw FrontEndError("RNNoise could not be created") }
        self.state = state
        frameLength = Int(rnnoise_get_frame_size())
    }

    deinit { rnnoise_destroy(state) }

    func denoise(_ input: [Float], into output: inout [Float]) {
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                _ = rnnoise_process_frame(state, target.baseAddress, source.baseAddress)
            }
        }
    }
}
