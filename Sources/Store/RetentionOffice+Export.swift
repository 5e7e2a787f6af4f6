import Foundation

extension RetentionOffice {
    /// The customer's export and the recordings' Ogg Opus bytes by file name. Audited.
    public func export(customerId: String, reason: String, officer: String) async throws -> (manifest: CustomerExport, audio: [String: Data]) {
        try Self.checkRequest(reason: reason, for: "an export", ["customer": customerId, "officer": officer])
        let held = try await storage.holdings(customerId: customerId)
        let manifest = try CustomerExport(
            customerId: customerId, person: held.person, orders: held.orders.sorted { $0.0.createdAt < $1.0.createdAt }, turns: held.turns,
            recordings: held.recordings)
        try await audit(officer, "export", subject: "customer:\(customerId)", reason: reason, counts: manifest.counts)
        return (manifest, Dictionary(uniqueKeysWithValues: held.audio.map { ($0.key + ".opus", $0.value) }))
    }

    /// Writes the export as `manifest.json` and `recordings/*.opus` into `directory`.
    @discardableResult
    public func export(customerId: String, to directory: URL, reason: String, officer: String) async throws -> CustomerExport {
        let (manifest, audio) = try await export(customerId: customerId, reason: reason, officer: officer)
        try manifest.write(to: directory, audio: audio)
        return manifest
    }

    public static let exportEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()
}
