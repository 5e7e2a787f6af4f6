import Crypto
import Foundation
import Yams

/// How long Talkshop keeps what it heard, read from `retention.yaml` (docs/compliance.md).
/// Order records are business records and are not governed here: they outlive the audio and
/// transcripts and just lose the link to them.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    /// Days each kind of data is kept (fractions allowed; 0 = removed at the next sweep).
    public struct Periods: Codable, Sendable, Equatable {
        public var audioDays: Double?
        public var transcriptDays: Double?
        public var sessionDays: Double?

        public init(audioDays: Double? = nil, transcriptDays: Double? = nil, sessionDays: Double? = nil) {
            self.audioDays = audioDays
            self.transcriptDays = transcriptDays
            self.sessionDays = sessionDays
        }
    }

    /// Whether utterance audio is stored at all (customers can also withhold consent).
    public var recordAudio: Bool?
    /// Minutes between scheduled sweeps while the server runs.
    public var sweepIntervalMinutes: Double?
    /// The shop's periods.
    public var keep: Periods?
    /// Overrides per device class (speaker, phone, web); missing keys fall back to `keep`.
    public var deviceClasses: [String: Periods]?

    public static let builtIn = RetentionPolicy(
        recordAudio: true, sweepIntervalMinutes: 60, keep: Periods(audioDays: 30, transcriptDays: 90, sessionDays: 365), deviceClasses: [:])

    public init(recordAudio: Bool? = nil, sweepIntervalMinutes: Double? = nil, keep: Periods? = nil, deviceClasses: [String: Periods]? = nil) {
        self.recordAudio = recordAudio
        self.sweepIntervalMinutes = sweepIntervalMinutes
        self.keep = keep
        self.deviceClasses = deviceClasses
    }

    public var storesAudio: Bool { recordAudio ?? Self.builtIn.recordAudio! }
    public var sweepInterval: TimeInterval { (sweepIntervalMinutes ?? Self.builtIn.sweepIntervalMinutes!) * 60 }

    /// The periods for a device class, in days: the class's override, else the shop's, else built in.
    public func periods(for deviceClass: String?) -> (audio: Double, transcript: Double, session: Double) {
        let override = deviceClass.flatMap { deviceClasses?[$0] }
        let builtIn = Self.builtIn.keep!
        return (
            override?.audioDays ?? keep?.audioDays ?? builtIn.audioDays!,
            override?.transcriptDays ?? keep?.transcriptDays ?? builtIn.transcriptDays!,
            override?.sessionDays ?? keep?.sessionDays ?? builtIn.sessionDays!
        )
    }

    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads and checks a policy file; unknown keys are errors, so a typo is not silently ignored.
    public static func load(from url: URL) throws -> RetentionPolicy {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw Invalid(description: "\(url.path): cannot be read")
        }
        return try parse(text, source: url.lastPathComponent)
    }

    public static func parse(_ text: String, source: String = "retention.yaml") throws -> RetentionPolicy {
        let policy: RetentionPolicy
        do {
            let node = try Yams.compose(yaml: text)
            try checkKeys(node, allowed: ["recordAudio", "sweepIntervalMinutes", "keep", "deviceClasses"], at: source)
            for (name, periods) in node?.mapping?["keep"].map({ [("keep", $0)] }) ?? [] { try checkPeriods(periods, at: "\(source): \(name)") }
            for (name, periods) in node?.mapping?["deviceClasses"]?.mapping ?? [:] {
                try checkPeriods(periods, at: "\(source): deviceClasses.\(name.string ?? "?")")
            }
            policy = node == nil ? RetentionPolicy() : try YAMLDecoder().decode(RetentionPolicy.self, from: text)
        } catch let error as Invalid {
            throw error
        } catch {
            throw Invalid(description: "\(source): \(error)")
        }
        let all = [policy.keep].compactMap { $0 } + (policy.deviceClasses?.values.map { $0 } ?? [])
        for periods in all {
            for days in [periods.audioDays, periods.transcriptDays, periods.sessionDays].compactMap({ $0 }) where days < 0 || !days.isFinite {
                throw Invalid(description: "\(source): a period of \(days) days is not possible")
            }
        }
        if let minutes = policy.sweepIntervalMinutes, minutes <= 0 || !minutes.isFinite {
            throw Invalid(description: "\(source): sweepIntervalMinutes must be above 0")
        }
        return policy
    }

    private static func checkPeriods(_ node: Node, at place: String) throws {
        try checkKeys(node, allowed: ["audioDays", "transcriptDays", "sessionDays"], at: place)
    }

    private static func checkKeys(_ node: Node?, allowed: Set<String>, at place: String) throws {
        guard let mapping = node?.mapping else { return }
        for key in mapping.keys.compactMap(\.string) where !allowed.contains(key) {
            throw Invalid(description: "\(place): unknown key '\(key)' (known: \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    /// What the audit trail says of the policy when it changes (`source`: where it came from).
    package func auditReason(source: String) -> String {
        let periods = periods(for: nil)
        return "\(source): audio \(periods.audio) d, transcripts \(periods.transcript) d, sessions \(periods.session) d, "
            + "audio \(storesAudio ? "on" : "off"), \((deviceClasses ?? [:]).count) device class overrides"
    }

    /// A fingerprint of the effective policy, so the audit trail records when it changes.
    public var digest: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let effective = RetentionPolicy(
            recordAudio: storesAudio, sweepIntervalMinutes: sweepInterval / 60,
            keep: { let p = periods(for: nil); return Periods(audioDays: p.audio, transcriptDays: p.transcript, sessionDays: p.session) }(),
            deviceClasses: deviceClasses ?? [:])
        let data = (try? encoder.encode(effective)) ?? Data()  // plain numbers and strings: encoding cannot fail
        return SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
    }
}
