import ArgumentParser
import Foundation
import Store

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Conversation analytics: outcomes, first-contact resolution, hand-overs, rejections, the funnel (docs/analytics.md).",
        discussion: """
            Reads the contacts the server recorded (one per session: counts and outcomes, never
            words). --rebuild first derives contacts from the stored turns and orders still within
            retention, for sessions that have none (those before analytics existed); rebuilt
            contacts carry fewer figures, and the report says how many there are.
            """)
    @OptionGroup var data: DataOptions
    @Option(help: "How far back: 7d, 24h, 90m, or a date (YYYY-MM-DD, UTC).") var since: String = "7d"
    @Option(help: "Only this channel: speaker, phone, web or text.") var channel: String?
    @Flag(help: "Print the report as JSON (the same as GET /admin/v1/analytics).") var json = false
    @Flag(help: "Derive contacts from stored turns first, for sessions that have none.") var rebuild = false

    func validate() throws {
        _ = try Self.start(since, now: Date())
        if let channel, !ConversationReport.channelNames.contains(channel) {
            throw ValidationError("--channel takes speaker, phone, web or text")
        }
    }

    func run() async throws {
        let now = Date()
        let start = try Self.start(since, now: now)
        let stores = try await data.stores()
        if rebuild {
            let rebuilt = try await ContactRebuild(contacts: stores.contacts).run(endedSince: start)
            FileHandle.standardError.write(Data("rebuilt \(rebuilt) contacts from stored turns\n".utf8))
        }
        let report = try await ConversationReport.load(contacts: stores.contacts, orders: stores.orders, since: start, until: now, channel: channel)
        if json {
            print(String(decoding: try RetentionOffice.exportEncoder.encode(report), as: UTF8.self))
        } else {
            print(report.table)
        }
    }

    static func start(_ text: String, now: Date) throws -> Date {
        guard let start = ConversationReport.start(text, now: now) else {
            throw ValidationError("--since takes 7d, 24h, 90m or a date like 2026-01-31")
        }
        return start
    }
}
