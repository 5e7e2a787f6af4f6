import Foundation
import Server
import Store
import TalkshopTesting
import Testing

/// The staff dashboard (`/staff`) in headless Chromium: a wrong token is refused with a
/// message; an operator's draws the four charts from `/admin/v1/analytics`, and a screenshot
/// of the page shows ink in every chart.
struct StaffDashboardTests {
    /// Three days of contacts: orders, status answers, a hand-over, abandoned read-backs, on
    /// two channels.
    static func threeDays(into contacts: SQLiteContactStorage, now: Date) throws {
        let day: TimeInterval = 86_400
        let kinds: [(counts: [String: Int], topic: String?, asking: String?)] = [
            (["turns": 3, "cart": 1, "asked:read_back": 1, "confirmed:read_back": 1, "ordered": 1, "paid": 1, "recognised:orderDrink": 1], "order", nil),
            (["turns": 1, "status_answered": 1, "recognised:whereIsMyOrder": 1], "status", nil),
            (["turns": 2, "cart": 1, "asked:read_back": 1, "rejected:confirmation:no_match": 1], "order", "read_back"),
            (["turns": 1, "handed_over": 1, "recognised:speakToPerson": 1], "person", nil),
        ]
        for back in 0..<3 {
            for (index, kind) in kinds.enumerated() where index <= back + 1 {
                let started = now.addingTimeInterval(-Double(back) * day - Double(index + 1) * 600)
                try contacts.record(ContactRecord(
                    sessionId: "s\(back)-\(index)", conversationId: "c\(back)-\(index)", customerId: "cust\(index)-\(back)",
                    channel: index % 2 == 0 ? "speaker" : "phone", startedAt: started, endedAt: started.addingTimeInterval(90), topic: kind.topic,
                    counts: kind.counts, endedAsking: kind.asking, trailingRejections: 0, secondsToOrder: kind.counts["paid"] != nil ? 40 : nil))
            }
        }
    }

    @Test func theDashboardDrawsTheAnalyticsAnOperatorMaySee() async throws {
        let artifacts = TestPaths.repository.appendingPathComponent(".build/artifacts/staff-dashboard")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        try await TestServer.with(WebPageTests.web { $0.page = false }) { server in
            let contacts = SQLiteContactStorage(database: server.services.database)
            let now = Date()
            try Self.threeDays(into: contacts, now: now)
            let report = try await ConversationReport.load(
                contacts: contacts, orders: server.services.orders, since: now.addingTimeInterval(-30 * 86_400), until: now.addingTimeInterval(60))
            #expect(report.conversations == 9 && report.days.count == 3)
            let token = try server.staff.issue(name: "Otto", role: .operator).token

            let screenshot = artifacts.appendingPathComponent("dashboard.png")
            let run = try await ExternalTool(executable: URL(fileURLWithPath: "/usr/bin/python3")).runDetached([
                TestPaths.repository.appendingPathComponent("Tests/browser/staff_page.py").path,
                "--url", "http://127.0.0.1:\(server.port)/staff", "--token", token, "--screenshot", screenshot.path,
            ])
            #expect(run.status == 0, "\(run.standardOutput)\n\(run.standardError)")
            let reports = run.standardOutput.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
            func scenario(_ name: String) -> [String: Any] { reports.first { $0["scenario"] as? String == name } ?? [:] }

            let refused = scenario("bad-token")
            #expect((refused["status"] as? String)?.contains("not a staff member's") == true && refused["figures_hidden"] as? Bool == true, "\(refused)")

            let dashboard = scenario("dashboard")
            let tiles = dashboard["tiles"] as? [String: String] ?? [:]
            #expect(tiles["conversations"] == "\(report.conversations)", "the page shows the JSON's figures: \(tiles)")
            #expect(tiles["fcr"]?.hasSuffix("(\(report.firstContactResolution.count) of \(report.firstContactResolution.of))") == true, "\(tiles)")
            #expect(tiles["handover"]?.hasSuffix("(\(report.handoverRate.count) of \(report.handoverRate.of))") == true, "\(tiles)")
            let charts = dashboard["charts"] as? [String: [String: Any]] ?? [:]
            print("staff dashboard: " + charts.keys.sorted().map { "\($0) \(charts[$0]?["marks"] ?? 0) marks, inked \(charts[$0]?["inked"] ?? 0)" }.joined(separator: "; "))
            #expect(Set(charts.keys) == ["outcomes", "funnel", "rates", "rejections"], "\(dashboard)")
            for (name, chart) in charts {
                let marks = chart["marks"] as? Int ?? 0, inked = chart["inked"] as? Double ?? 0
                #expect(marks > 0, "\(name): no marks drawn")
                // An empty dashboard (no contacts) inks 0.4–2.4% of a chart's box; these charts ink 5–32%.
                #expect(inked > 0.03, "\(name): \(inked) of its area inked on the screenshot")
            }
            // Every bar of the outcome chart is one outcome of one day with conversations.
            let outcomeBars = report.days.reduce(0) { sum, day in sum + day.outcomes.values.filter { $0 > 0 }.count }
            #expect(charts["outcomes"]?["marks"] as? Int == outcomeBars)
            #expect(FileManager.default.fileExists(atPath: screenshot.path))
        }
    }
}
