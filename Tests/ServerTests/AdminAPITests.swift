import Commerce
import AudioCodec
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Server
import Simulators
import Store
import Testing

/// The admin API over a real socket: who may do what, clear errors that change nothing, and
/// an officer's whole job — recordings made by a spoken order, exported, held, erased.
struct AdminAPITests {
    struct Reply {
        var status: HTTPResponse.Status
        var json: [String: Any]
        var text: String
    }

    static func call(
        _ server: TestServer.Context, _ method: HTTPRequest.Method, _ path: String, token: String?, body: String? = nil
    ) async throws -> Reply {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await server.client.execute(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let text = String(buffer: response.body)
            let json = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            return Reply(status: response.status, json: json, text: text)
        }
    }

    /// Audit entries made by people (the server's own sweeper writes "system" ones at start).
    static func staffEntries(_ server: TestServer.Context) async throws -> [AuditEntry] {
        try await server.retention.auditTrail.entries().filter { $0.actor != "system" }
    }

    @Test func onlyOfficersChangeThingsOperatorsReadAndDevicesAreKeptOut() async throws {
        try await TestServer.with { server in
            let officer = try server.staff.issue(name: "Olga", role: .officer).token
            let operatorToken = try server.staff.issue(name: "Otto", role: .operator).token
            let hold = #"{"scope": "customer", "subject": "customer-1", "reason": "case 7"}"#

            #expect(try await Self.call(server, .get, "/admin/v1/holds", token: nil).status == .unauthorized)
            #expect(try await Self.call(server, .get, "/admin/v1/holds", token: "tss_forged").status == .unauthorized)
            let device = try await Self.call(server, .get, "/admin/v1/audit/verify", token: server.token)
            #expect(device.status == .forbidden && device.json["message"] as? String == "device tokens cannot use the admin API")
            #expect(try await Self.call(server, .get, "/admin/v1/holds", token: operatorToken).status == .ok)
            #expect(try await Self.call(server, .get, "/admin/v1/audit/verify", token: operatorToken).json["intact"] as? Bool == true)
            for (method, path, body) in [
                (HTTPRequest.Method.post, "/admin/v1/holds", hold),
                (.post, "/admin/v1/purge", #"{"customer": "customer-1", "reason": "erasure"}"#),
                (.post, "/admin/v1/sweep", "{}"),
                (.get, "/admin/v1/customers/customer-1/export?reason=access", ""),
            ] {
                let refused = try await Self.call(server, method, path, token: operatorToken, body: body)
                #expect(refused.status == .forbidden, "operator \(method) \(path): \(refused.text)")
            }
            #expect(try await server.retention.holds().isEmpty)
            #expect(try await Self.staffEntries(server).isEmpty)

            let placed = try await Self.call(server, .post, "/admin/v1/holds", token: officer, body: hold)
            #expect(placed.status == .created && placed.json["placedBy"] as? String == "Olga", "\(placed.text)")
            let revoked = try server.staff.all().first { $0.name == "Olga" }!.id
            try server.staff.revoke(id: revoked)
            #expect(try await Self.call(server, .get, "/admin/v1/holds", token: officer).status == .unauthorized)
        }
    }

    @Test func badRequestsGetClearErrorsAndChangeNothing() async throws {
        try await TestServer.with { server in
            let officer = try server.staff.issue(name: "Olga", role: .officer).token
            let cases: [(HTTPRequest.Method, String, String, HTTPResponse.Status, String)] = [
                (.post, "/admin/v1/purge", #"{"to": "last tuesday", "reason": "x"}"#, .badRequest, "is not a date"),
                (.post, "/admin/v1/purge", #"{"customer": "nobody", "reason": "erasure"}"#, .notFound, "no customer nobody"),
                (.post, "/admin/v1/purge", #"{"customer": "customer-1", "session": "s", "reason": "x"}"#, .badRequest, "exactly one of"),
                (.post, "/admin/v1/purge", #"{"customer": "customer-1"}"#, .badRequest, "not the JSON this endpoint takes"),
                (.post, "/admin/v1/purge", "{not json", .badRequest, "not the JSON"),
                (.post, "/admin/v1/holds", #"{"scope": "planet", "subject": "x", "reason": "r"}"#, .badRequest, "scope must be"),
                (.post, "/admin/v1/holds", #"{"scope": "order", "subject": "no-order", "reason": "r"}"#, .notFound, "no order no-order"),
                (.post, "/admin/v1/holds/hold_none/release", #"{"reason": "r"}"#, .notFound, "no hold hold_none"),
                (.get, "/admin/v1/customers/nobody/export?reason=access", "", .notFound, "no customer nobody"),
                (.get, "/admin/v1/customers/customer-1/export", "", .badRequest, "reason"),
                // A NUL was stored cut and hashed whole: a tamper alarm nobody could clear.
                (.post, "/admin/v1/holds", #"{"scope": "customer", "subject": "customer-1", "reason": "case\u00007"}"#, .badRequest,
                 "reason contains the control character U+0000"),
                (.post, "/admin/v1/holds", #"{"scope": "customer", "subject": "customer-1\u0000x", "reason": "r"}"#, .badRequest, "subject contains"),
                (.post, "/admin/v1/holds", #"{"scope": "customer", "subject": "customer-1", "reason": "\u001b]0;x\u0007\u001b[2J"}"#, .badRequest,
                 "U+001B"),
                (.post, "/admin/v1/purge", #"{"customer": "customer-1", "reason": "erasure", "reference": "ref\u202e1"}"#, .badRequest,
                 "reference contains the control character U+202E"),
                (.get, "/admin/v1/customers/customer-1/export?reason=access%00x", "", .badRequest, "reason contains the control character U+0000"),
            ]
            for (method, path, body, status, message) in cases {
                let reply = try await Self.call(server, method, path, token: officer, body: body)
                #expect(reply.status == status && (reply.json["message"] as? String ?? "").contains(message), "\(path) \(body): \(reply.text)")
                #expect(reply.json["error"] is String)
            }
            #expect(try await server.retention.holds().isEmpty)
            #expect(try await Self.staffEntries(server).isEmpty)
            #expect(try await Self.call(server, .get, "/admin/v1/audit/verify", token: officer).json["intact"] as? Bool == true)
        }
    }

    @Test func anOfficerExportsHoldsAndErasesWhatASpokenOrderRecorded() async throws {
        // A clock that stands still: with both cores busy, the spoken "yes" once took longer
        // to arrive than the 8 s answer window.
        try await TestServer.with(clock: ManualClock()) { server in
            let officer = try server.staff.issue(name: "Olga", role: .officer).token
            let (start, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            let (_, yes) = try VoiceClient.frames(for: TestServer.fixture("yes.opus"))
            _ = try await server.client().run([
                .start(start), .audio(latte), .endOfSpeech, .awaitResult, .text("check out"), .awaitResult,
                .audio(yes), .endOfSpeech, .awaitResult, .stop,
            ])

            let export = try await Self.call(server, .get, "/admin/v1/customers/customer-1/export?reason=access%20request%20A-1", token: officer)
            #expect(export.status == .ok, "\(export.text)")
            let manifest = try #require(export.json["manifest"] as? [String: Any])
            let utterances = try #require(manifest["utterances"] as? [[String: Any]])
            #expect(utterances.map { $0["transcript"] as? String } == ["i would like a large latte", "check out", "yes"])
            let orders = try #require(manifest["orders"] as? [[String: Any]])
            // A missing order fails the test here rather than crashing the run below.
            try #require(orders.count == 1, "\(orders)")
            #expect(utterances.filter { $0["orderId"] as? String == orders[0]["id"] as? String }.count == 3)
            let recordings = try #require(export.json["recordings"] as? [String: String])
            #expect(recordings.count == 2, "spoken turns have audio; the typed one has none")
            for (name, base64) in recordings {
                let bytes = [UInt8](try #require(Data(base64Encoded: base64)))
                let pcm = try AudioFile(bytes: bytes, format: .oggOpus).decodeToRecognitionPCM()
                #expect(pcm.count > 8_000, "\(name) decodes to \(pcm.count) samples")
            }

            let held = try await Self.call(server, .post, "/admin/v1/holds", token: officer,
                                           body: "{\"scope\": \"order\", \"subject\": \"\(orders[0]["id"] as! String)\", \"reason\": \"dispute\"}")
            let holdId = try #require(held.json["id"] as? String)
            let deferred = try await Self.call(server, .post, "/admin/v1/purge", token: officer,
                                               body: #"{"customer": "customer-1", "reason": "erasure", "reference": "E-9"}"#)
            #expect(deferred.status == .accepted && deferred.json["blockingHolds"] as? [String] == [holdId], "\(deferred.text)")
            let released = try await Self.call(server, .post, "/admin/v1/holds/\(holdId)/release", token: officer, body: #"{"reason": "resolved"}"#)
            let erasures = try #require(released.json["erasures"] as? [[String: Any]], "\(released.text)")
            #expect(erasures.count == 1 && erasures[0]["recordings"] as? Int == 2 && erasures[0]["keyDestroyed"] as? Bool == true)
            await server.services.turns.flush()
            #expect(try server.recorder.recordings(customerId: "customer-1").isEmpty)
            #expect(try server.orders.order(orders[0]["id"] as! String) != nil, "the order stays")
            let sweep = try await Self.call(server, .post, "/admin/v1/sweep", token: officer, body: #"{"dryRun": true}"#)
            #expect(sweep.status == .ok && sweep.json["dryRun"] as? Bool == true)
            let verify = try await Self.call(server, .get, "/admin/v1/audit/verify", token: officer)
            #expect(verify.json["intact"] as? Bool == true, "\(verify.text)")
            #expect(try await Self.staffEntries(server).map(\.action) == ["export", "hold", "erasure_deferred", "release", "erasure"])
        }
    }

    @Test func noAudioIsStoredWithoutConsentOrWhenThePolicySwitchesItOff() async throws {
        let policy = FileManager.default.temporaryDirectory.appendingPathComponent("retention-off-\(UUID()).yaml")
        try "recordAudio: false\n".write(to: policy, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: policy) }
        for off in ["consent", "policy"] {
            try await TestServer.with({ if off == "policy" { $0.retentionPolicy = policy.path } }) { server in
                if off == "consent" { try server.customers.setAudioConsent(customerId: "customer-1", false) }
                let (start, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
                _ = try await server.client().run([.start(start), .audio(latte), .endOfSpeech, .awaitResult, .stop])
                await server.services.turns.flush()
                #expect(try server.recorder.turns(customerId: "customer-1").count == 1, "the transcript is kept (\(off))")
                #expect(try server.recorder.recordings(customerId: "customer-1").isEmpty, "no audio (\(off))")
            }
        }
        try await TestServer.with { server in
            let (start, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            _ = try await server.client().run([.start(start), .audio(latte), .endOfSpeech, .awaitResult, .stop])
            await server.services.turns.flush()
            let recordings = try server.recorder.recordings(customerId: "customer-1")
            #expect(recordings.count == 1, "stored by default")
            // An Opus device's utterance is kept as the packets it sent, not re-encoded.
            var reader = OggOpusReader()
            let stored = try reader.append([UInt8](try server.recorder.audio(of: try #require(recordings.first)))).map(\.data)
            try reader.finish()
            let sent = latte.map(\.bytes)
            #expect(stored.count > 50 && stored.count <= sent.count)
            #expect((0...(sent.count - stored.count)).contains { Array(sent[$0..<($0 + stored.count)]) == stored }, "a run of the packets sent")
        }
    }

    @Test func nothingSpokenWhileAPINIsAwaitedIsStored() async throws {
        try await TestServer.with(clock: ManualClock()) { server in  // no answer window runs out on a busy machine
            let token = try server.addCustomer("pin-customer", pinRequired: true)
            let (start, latte) = try VoiceClient.frames(for: TestServer.fixture("large-latte.opus"))
            let events = try await server.client(token).run([
                .start(start), .audio(latte), .endOfSpeech, .awaitResult, .text("check out"), .awaitResult, .text("yes"), .awaitResult,
                .audio(latte), .endOfSpeech, .awaitResult,  // spoken while the PIN is awaited
                .stop,
            ])
            #expect(events.contains(.listening(state: "pin")))
            await server.services.turns.flush()
            let turns = try server.recorder.turns(customerId: "pin-customer")
            let secret = try #require(turns.last)
            #expect(secret.outcome.hasSuffix("(pin withheld)") && secret.transcript == nil && secret.sealedTranscript == nil)
            let recordings = try server.recorder.recordings(customerId: "pin-customer")
            #expect(recordings.count == 1 && recordings[0].turnId == turns[0].id, "only the order's audio, not the PIN's")
        }
    }
}
