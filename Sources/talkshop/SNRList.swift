import ArgumentParser

/// `--snr 24,12,6`: the signal-to-noise ratios a noise benchmark mixes at, in dB.
enum SNRList {
    static func parse(_ text: String) throws -> [Double] {
        try text.split(separator: ",").map { value in
            guard let number = Double(value.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--snr takes numbers such as 24,12,6; got '\(value)'")
            }
            return number
        }
    }
}
