import Foundation
import Histogram
import Synchronization

/// One step of a load run: N streams for the plan's duration, with the server sampled once
/// a second throughout.
struct LoadStep {
    let plan: LoadPlan
    let streams: Int

    struct Result {
        var streams: Int
        var report = LoadStream.Report()
        var latency = Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        var serverCPUPercent = 0.0
        var serverCPUSeconds = 0.0
        var serverPeakRSS = 0.0
        var wallSeconds = 0.0
        var audioReceived = 0.0
        var clientCPUPercent = 0.0
        var streamsBehind = 0
        var failures: [String] = []
        /// Of the labelled utterances spoken in this step, how many the unloaded reference got right.
        var referenceCorrect: Int?

        var held: Bool { failures.isEmpty }

        func milliseconds(_ percentile: Double) -> Double {
            latency.totalCount == 0 ? 0 : Double(latency.valueAtPercentile(percentile)) / 1_000
        }

        /// The share of the time the streams were speaking (the rest: waiting and pausing).
        var speechShare: Double { wallSeconds > 0 ? report.audioSecondsSent / (wallSeconds * Double(streams)) : 0 }

        /// Server CPU seconds per second of audio it received.
        var cpuPerAudioSecond: Double { audioReceived > 0 ? serverCPUSeconds / audioReceived : 0 }

        var summary: String {
            String(
                format: "%d streams (speaking %.0f%% of the time): %d utterances (%d heard as two), %d errors, p50 %.0f ms, p99 %.0f ms, server CPU %.0f%%, RSS %.0f MB, load generator CPU %.0f%% — %@",
                streams, speechShare * 100, report.latencies.count, report.splitUtterances, report.errors.count, milliseconds(50), milliseconds(99), serverCPUPercent,
                serverPeakRSS / 1_048_576, clientCPUPercent, held ? "held" : "failed: " + failures.joined(separator: "; "))
        }

        /// The Markdown table the README shows.
        static func table(_ results: [Result]) -> String {
            var lines = [
                "| streams | utterances | errors | rejected | correct (unloaded) | p50 ms | p90 ms | p99 ms | max ms | server CPU | CPU s per audio s | server RSS | real time | held |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|:---:|",
            ]
            for result in results {
                let report = result.report
                lines.append(
                    String(
                        format: "| %d | %d | %d | %d | %d/%d (%@) | %.0f | %.0f | %.0f | %.0f | %.0f%% | %.4f | %.0f MB | %@ | %@ |",
                        result.streams, report.latencies.count, report.errors.count, report.rejected,
                        report.correct, report.labelled, result.referenceCorrect.map { "\($0)" } ?? "–", result.milliseconds(50), result.milliseconds(90), result.milliseconds(99),
                        Double(result.latency.max) / 1_000, result.serverCPUPercent, result.cpuPerAudioSecond, result.serverPeakRSS / 1_048_576,
                        result.streamsBehind == 0 ? "yes" : "\(result.streamsBehind) behind", result.held ? "yes" : "no"))
            }
            return lines.joined(separator: "\n")
        }
    }

    func run() async throws -> Result {
        let before = try await plan.probe.sample()
        let clientCPUBefore = CPUClock.processSeconds()
        let deadline = ContinuousClock.now.advanced(by: .seconds(plan.duration))
        let peakRSS = PeakGauge(before.residentBytes)
        let sampler = Task {
            var shown = Int.max
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                if let sample = try? await plan.probe.sample() { peakRSS.observe(sample.residentBytes) }
                let left = Int(max(0, (deadline - .now).seconds))
                // On a terminal every second; in a log every ten.
                if left < shown && (isatty(STDERR_FILENO) == 1 || left % 10 == 0) {
                    shown = left
                    FileHandle.standardError.write(Data("\r\(streams) streams: \(left) s left   ".utf8))
                }
            }
        }
        let meanUtterance = plan.utterances.reduce(0) { $0 + $1.seconds } / Double(plan.utterances.count)
        let cycle = meanUtterance + (plan.pauses.lowerBound + plan.pauses.upperBound) / 2
        var random = SeededRandom(seed: plan.seed)
        let reports = await withTaskGroup(of: LoadStream.Report.self) { group in
            for index in 0..<streams {
                var stream = LoadStream(
                    url: plan.url, token: plan.token, utterances: plan.utterances,
                    firstUtterance: index * plan.utterances.count / streams, pauses: plan.pauses, seed: plan.seed &+ UInt64(index))
                stream.startDelay = Double.random(in: 0...cycle, using: &random)
                group.addTask { await stream.run(until: deadline) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        sampler.cancel()
        FileHandle.standardError.write(Data("\r".utf8))
        let after = try await plan.probe.sample()
        let wall = (after.at - before.at).seconds

        var result = Result(streams: streams)
        result.wallSeconds = wall
        for report in reports {
            result.report.latencies += report.latencies
            result.report.accepted += report.accepted
            result.report.rejected += report.rejected
            result.report.errors += report.errors
            result.report.correct += report.correct
            result.report.outcomes += report.outcomes
            result.report.splitUtterances += report.splitUtterances
            result.report.labelled += report.labelled
            result.report.audioSecondsSent += report.audioSecondsSent
            result.report.maxLag = max(result.report.maxLag, report.maxLag)
            if report.maxLag.seconds * 1_000 > plan.lagBoundMilliseconds { result.streamsBehind += 1 }
        }
        for latency in result.report.latencies { _ = result.latency.record(latency) }
        result.serverCPUSeconds = after.cpuSeconds - before.cpuSeconds
        result.serverCPUPercent = result.serverCPUSeconds / wall * 100
        result.serverPeakRSS = max(peakRSS.value, after.residentBytes)
        result.audioReceived = after.audioSeconds - before.audioSeconds
        result.clientCPUPercent = (CPUClock.processSeconds() - clientCPUBefore) / wall * 100
        if !plan.reference.isEmpty {
            result.referenceCorrect = result.report.outcomes.filter { plan.reference[$0.name] == true }.count
        }
        result.failures = failures(of: result)
        return result
    }

    /// Speaks every recording once on one stream, unpaced: which come out right unloaded.
    static func reference(_ plan: LoadPlan) async throws -> [String: Bool] {
        var stream = LoadStream(
            url: plan.url, token: plan.token, utterances: plan.utterances, firstUtterance: 0, pauses: 0...0, seed: plan.seed)
        stream.paced = false
        stream.limit = plan.utterances.count
        let report = await stream.run(until: .now.advanced(by: .seconds(3_600)))
        if let error = report.errors.first { throw LoadFailure(description: "the reference pass failed: \(error)") }
        return Dictionary(report.outcomes.map { ($0.name, $0.correct) }, uniquingKeysWith: { first, _ in first })
    }

    private func failures(of result: Result) -> [String] {
        var failures: [String] = []
        let report = result.report
        if report.latencies.isEmpty { failures.append("no utterance completed") }
        if !report.errors.isEmpty {
            let distinct = Set(report.errors).sorted().prefix(3).joined(separator: " | ")
            failures.append("\(report.errors.count) errors (\(distinct))")
        }
        if result.milliseconds(99) > plan.p99BoundMilliseconds {
            failures.append(String(format: "p99 %.0f ms over %.0f ms", result.milliseconds(99), plan.p99BoundMilliseconds))
        }
        if result.streamsBehind > 0 {
            failures.append(String(format: "%d streams fell behind real time (worst %.0f ms)", result.streamsBehind, report.maxLag.seconds * 1_000))
        }
        // Another client's audio can only add to the server's count; less means audio was lost.
        if result.audioReceived + 0.5 < report.audioSecondsSent {
            failures.append(String(format: "server received %.1f s of %.1f s sent", result.audioReceived, report.audioSecondsSent))
        }
        return failures
    }
}

/// The largest value seen, shared with the sampling task.
final class PeakGauge: Sendable {
    private let state: Synchronization.Mutex<Double>
    init(_ initial: Double) { state = .init(initial) }
    func observe(_ value: Double) { state.withLock { $0 = Swift.max($0, value) } }
    var value: Double { state.withLock { $0 } }
}
