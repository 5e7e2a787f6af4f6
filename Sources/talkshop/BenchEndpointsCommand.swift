import ArgumentParser
import Benchmarks
import Foundation

struct BenchEndpointsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "endpoints",
        abstract: "Does the endpointer find the same utterance in noise as in the clean recording?",
        discussion: """
            Runs each recording through the front end and endpointer clean, then with noise mixed
            in, and compares where the first utterance starts and ends (pre-roll and trailing
            silence included, as the decoder gets it). An utterance that ends only with the
            recording (the noise kept the endpointer in speech) counts as not ended.
              talkshop bench endpoints --noise pink --snr 12,6 speech/coffee-dev
            """)

    @OptionGroup var recognition: RecognitionOptions
    @OptionGroup var raw: RawAudioOptions

    @Option(help: "Noise to mix in, comma-separated (as for bench accuracy).")
    var noise = "pink"

    @Option(help: "Comma-separated SNRs in dB.")
    var snr = "12,6"

    @Argument(help: "Recordings, or directories of them.")
    var paths: [String] = ["speech/coffee-dev"]

    func run() async throws {
        let files = try AudioFiles.expand(paths)
        let speech = try files.map { try raw.load($0).decodeToRecognitionPCM() }
        let endpointing = recognition.endpointing, frontEnd = recognition.frontEnd
        var reference: [EndpointProbe.Boundaries?] = []
        for samples in speech { reference.append(try await EndpointProbe.first(samples, endpointing: endpointing, frontEnd: frontEnd)) }
        let snrs = try SNRList.parse(snr)
        print("clean: \(reference.compactMap { $0 }.count) of \(files.count) recordings have an utterance (the reference)")
        print("| condition | found | ended by silence | start within 100 ms | end within 250 ms | start error p50 / p90 | end error p50 / p90 |")
        print("|---|---|---|---|---|---|---|")
        for name in noise.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard let kind = NoiseKind(named: name) else { throw ValidationError("--noise takes pink, babble, orders, music or brown; got '\(name)'") }
            for level in snrs {
                let noisy = kind.mixed(into: speech, snr: level)
                var found = 0, ended = 0, startClose = 0, endClose = 0, compared = 0
                var startErrors: [Double] = [], endErrors: [Double] = []
                for (index, samples) in noisy.enumerated() {
                    guard let expected = reference[index] else { continue }
                    compared += 1
                    guard let heard = try await EndpointProbe.first(samples, endpointing: endpointing, frontEnd: frontEnd) else { continue }
                    found += 1
                    let startError = Double(abs(heard.start - expected.start)) / 16
                    startErrors.append(startError)
                    if startError <= 100 { startClose += 1 }
                    guard heard.endedBySilence else { continue }
                    ended += 1
                    let endError = Double(abs(heard.end - expected.end)) / 16
                    endErrors.append(endError)
                    if endError <= 250 { endClose += 1 }
                }
                Progress.report(1, of: 1, "\(kind) \(level) dB")
                print("| \(kind) \(format(level)) dB | \(found)/\(compared) | \(ended)/\(compared) | \(startClose)/\(compared) | \(endClose)/\(compared) | "
                    + "\(quantile(startErrors, 0.5)) / \(quantile(startErrors, 0.9)) ms | \(quantile(endErrors, 0.5)) / \(quantile(endErrors, 0.9)) ms |")
            }
        }
    }

    private func quantile(_ values: [Double], _ q: Double) -> String {
        guard !values.isEmpty else { return "–" }
        let sorted = values.sorted()
        return String(Int(sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))].rounded()))
    }

    private func format(_ value: Double) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
}
