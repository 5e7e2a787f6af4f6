import Commerce
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import Server
import Simulators
import Store
import TalkshopTesting
import Testing
import VoiceProtocol

/// A scripted day of conversations through the real server — orders, status questions, a
/// decline, a customer who walks away from the read-back, a hand-over, gibberish, a
/// cancellation, a phone call and noise on a speaker — and the report checked figure by
/// figure against what was sent (docs/analytics.md defines each figure).
struct AnalyticsTests {
    /// Ten typed conversations (the text channel), in order. The comment says what each comes to.
    static let typed: [(customer: String, lines: [String])] = [
        ("ann", ["i want a large latte", "check out", "yes"]),  // 1 ordered; delivered later
        ("ben", ["where is my order"]),  // 2 status answered; ben asks again below, so not resolved first time
        ("cat", ["i want a small mocha", "check out", "no"]),  // 3 read-back declined: nothing needed
        ("dan", ["i want a small mocha", "check out"]),  // 4 left during the read-back: abandoned
        ("eve", ["speak to a person"]),  // 5 handed over
        ("fay", ["purple monkey dishwasher", "purple monkey dishwasher"]),  // 6 two rejections: abandoned, no topic
        ("ann", ["where is my order"]),  // 7 status answered (another topic than ann's order)
        ("ben", ["where is my order"]),  // 8 status answered
        ("gus", ["i want a small mocha", "check out", "yes"]),  // 9 ordered
        ("gus", ["cancel my order", "yes"]),  // 10 cancelled (another topic than gus's order)
    ]

    @Test func aScriptedDayGivesAReportEveryFigureOfWhichAddsUp() async throws {
        try await TestServer.with({ $0.courier = .init(preparing: 600, outForDelivery: 1_200, delivered: 1_800) }) { server in
            var tokens: [String: String] = [:]
            for customer in Set(Self.typed.map(\.customer)) { tokens[customer] = try server.addCustomer(customer) }
            for (customer, lines) in Self.typed {
                var steps: [VoiceClient.Step] = [.start(.init(codec: .opus))]
                for line in lines { steps += [.text(line), .awaitResult] }
                _ = try await server.client(tokens[customer]!).run(steps + [.stop])
            }
            // Ann's order is delivered (as the courier would report it).
            let annsOrder = try #require(try server.orders.orders(customerId: "ann", since: .distantPast).first)
            for status in [OrderStatus.preparing, .outForDelivery, .delivered] {
                _ = try server.orders.transition(orderId: annsOrder.id, to: status, source: "courier")
            }
            // A phone call: the order spoken, then keys: check out, yes, the PIN (every phone order asks it).
            let line = try PhoneBridgeTests.phoneLine(server)
            _ = try await PhoneBridgeTests.caller(server, token: line).call([
                .speak(try PhoneBridgeTests.muLaw("large-latte.ul")), .dtmf("1"), .dtmf("1"), .dtmf("1234"),
            ])
            // Pink noise on a speaker: whatever it is heard as, counted as the client saw it.
            let (start, frames) = try VoiceClient.frames(for: TestServer.fixture("negative/pink-noise.opus"))
            let noise = try await server.client(tokens["fay"]!).run([.start(start), .audio(frames), .endOfSpeech, .awaitResult, .stop])
            let noiseRejections = noise.filter { if case .rejected = $0 { true } else { false } }.count
            let noiseIntents = noise.filter { if case .intent = $0 { true } else { false } }.count

            let contacts = SQLiteContactStorage(database: server.services.database)
            #expect(await TestServer.eventually(within: .seconds(30)) { (try? contacts.contacts(endedSince: .distantPast).count) == 12 })
            let now = Date().addingTimeInterval(1)
            func report(_ channel: String? = nil) async throws -> ConversationReport {
                try await ConversationReport.load(
                    contacts: contacts, orders: server.services.orders, since: now.addingTimeInterval(-3_600), until: now, channel: channel)
            }

            // The typed conversations, by hand from the script above.
            let text = try await report("text")
            #expect(text.conversations == 10 && text.contacts == 10)
            #expect(text.outcomes == [
                "ordered": 2, "order_status_answered": 3, "nothing_needed": 1, "abandoned": 2, "handed_over": 1, "cancelled_or_returned": 1,
            ])
            let typedFigures = try #require(text.channels["text"])
            #expect(typedFigures.conversations == 10 && typedFigures.turns == 19 && typedFigures.rejections == 2)
            #expect(typedFigures.rejectionRate == 2.0 / 19)
            #expect(text.intents == ["orderDrink": 4, "checkout": 4, "yes": 3, "no": 1, "whereIsMyOrder": 3, "speakToPerson": 1, "cancelOrder": 1])
            #expect(text.rejections == ["main": ["no_match": 2]])
            #expect(text.questions == ["read_back": ["asked": 4, "confirmed": 2, "declined": 1], "cancel": ["asked": 1, "confirmed": 1]])
            // Came for something: all but 6; resolved first time: 1, 7, 8, 9, 10 (2 was asked again by ben).
            #expect(text.firstContactResolution.count == 5 && text.firstContactResolution.of == 9)
            #expect(text.handoverRate.count == 1 && text.handoverRate.of == 10)
            #expect(text.funnel.map(\.conversations) == [4, 4, 2, 2, 1], "cart, read-back, yes, paid, delivered: \(text.funnel)")
            #expect(text.funnel.map(\.dropOff) == [0, 0, 2, 0, 1])
            #expect(text.guardInterventions.values.allSatisfy { $0 == 0 }, "\(text.guardInterventions)")
            #expect(text.turnsPerConversation == 1.9)
            #expect((text.medianSecondsToOrder ?? -1) >= 0)

            // The phone call: an order with the PIN asked and given.
            let phone = try await report("phone")
            #expect(phone.conversations == 1 && phone.outcomes == ["ordered": 1])
            #expect(phone.questions["read_back"]?["confirmed"] == 1 && phone.questions["pin"] == ["asked": 1, "confirmed": 1])
            #expect(phone.guardInterventions["pin_asked"] == 1 && phone.guardInterventions["pin_failed"] == 0)
            #expect(phone.intents["checkout"] == 1 && phone.intents["yes"] == 1 && phone.intents["pinDigits"] == 1)

            // The noise, as the client saw it.
            let speaker = try await report("speaker")
            #expect(speaker.conversations == 1)
            #expect(speaker.channels["speaker"]?.rejections == noiseRejections && speaker.channels["speaker"]?.turns == noiseRejections + noiseIntents)
            if noiseIntents == 0 { #expect(speaker.outcomes == [noiseRejections >= 2 ? "abandoned" : "nothing_needed": 1]) }

            // All together: the parts add up, and resolution looks across channels.
            let day = try await report()
            print(day.table)
            #expect(day.conversations == 12 && day.contacts == 12)
            #expect(day.outcomes["ordered"] == 3 && day.outcomes["order_status_answered"] == 3)
            #expect(day.firstContactResolution.count == 6 && day.firstContactResolution.of == 10 + (noiseIntents > 0 ? 1 : 0))
            #expect(day.funnel.map(\.conversations) == [5, 5, 3, 3, 1])
            #expect(day.days.count == 1 && day.days[0].conversations == 12)

            // The live counter, and the same JSON for operators.
            #expect(server.services.metrics.value(of: .contacts, label: "ordered") == 3)
            let operatorToken = try server.staff.issue(name: "Otto", role: .operator).token
            let json = try await AdminAPITests.call(server, .get, "/admin/v1/analytics?since=1h&channel=text", token: operatorToken)
            #expect(json.status == .ok && (json.json["conversations"] as? Int) == 10, "\(json.text)")
            let bad = try await AdminAPITests.call(server, .get, "/admin/v1/analytics?since=yesterdayish", token: operatorToken)
            #expect(bad.status == .badRequest)
        }
    }

    /// Analytics hold no words: nothing typed, even unrecognised, reaches the contact table;
    /// an erased customer's contacts keep their counts and lose the customer.
    @Test func analyticsHoldNoWordsAndAnErasureAnonymisesThem() async throws {
        try await TestServer.with { server in
            let token = try server.addCustomer("ivy")
            let sentinel = "zebra\(UInt32.random(in: 100_000...999_999))"
            _ = try await server.client(token).run([
                .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .text("\(sentinel) latte please"), .awaitResult, .stop,
            ])
            let contacts = SQLiteContactStorage(database: server.services.database)
            #expect(await TestServer.eventually { (try? contacts.contacts(endedSince: .distantPast).count) == 1 })
            let rows = try await server.services.database.writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM contact") }
            #expect(!rows.isEmpty && !rows.contains { "\($0)".contains(sentinel) || "\($0)".contains("mocha") }, "\(rows)")
            let before = try contacts.contacts(endedSince: .distantPast)
            #expect(before.first?.customerId == "ivy")

            _ = try await server.retention.purge(.customer("ivy"), reason: "erasure request", officer: "olga")
            let after = try contacts.contacts(endedSince: .distantPast)
            #expect(after.count == 1 && after.first?.customerId == nil)
            #expect(after.first?.sessionId != before.first?.sessionId && after.first?.conversationId != before.first?.conversationId)
            // The session row is still there (until its period ends): a rebuild must not bring ivy back.
            #expect(try await ContactRebuild(contacts: contacts).run(endedSince: .distantPast) == 0)
            #expect(try contacts.contacts(endedSince: .distantPast).allSatisfy { $0.customerId == nil })
            #expect(after.first?.counts == before.first?.counts && after.first?.counts[ContactCounts.turns] == 2)
        }
    }
}
