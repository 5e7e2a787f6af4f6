import Foundation

/// The acoustic model adapted to denoised speech (`scripts/adapt-model.sh`): where it is, and
/// whether it fits the denoiser in use. A model is adapted on one denoiser's output (its
/// directory's `denoiser` file names it); another denoiser's output differs, and the model
/// then costs accuracy instead of adding it (docs/recognition.md).
public enum NoisyRoomModel {
    /// The shipped model, relative to the working directory.
    public static let defaultSetting = "models/noisy-room"
    /// The file in a model directory naming the denoiser whose output it was adapted on.
    public static let denoiserFile = "denoiser"

    /// The directory to decode `denoiser`'s output with: nil when the setting is "off" (or
    /// empty), or when the model was adapted on another denoiser's output — `unused` then says
    /// why, for the log.
    public static func resolve(_ setting: String, denoiser: String) -> (directory: URL?, unused: String?) {
        guard !["", "off"].contains(setting) else { return (nil, nil) }
        let directory = URL(fileURLWithPath: setting)
        let recorded = try? String(contentsOf: directory.appendingPathComponent(denoiserFile), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if let recorded, recorded != denoiser {
            return (nil, "the noisy-room model \(setting) was adapted on \(recorded) output, and the denoiser is \(denoiser): denoised speech gets the base model")
        }
        return (directory, nil)
    }
}
