import Foundation
import HTTPTypes
import Simulators
import Store
import Testing
import VoiceProtocol

/// Revoking a device, a customer or a web session token ends the sessions it has open — `bye`
/// with reason `revoked`, close 1008 — and a confirmation they were waiting for places nothing.
@Suite(.serialized) struct RevocationTests {
    /// A session that has read back a cart and waits for the yes, revoked by `revoke` meanwhile.
    static func revokedWhileConfirming(
        _ server: TestServer.Context, token: String, revoke: @escaping @Sendable () async throws -> Void
    ) async throws -> (events: [ServerEvent], close: UInt16?) {
        try await server.client(token).runRecordingClose([
            .start(.init(codec: .opus)),
            .text("i want a small mocha"), .awaitResult,
            .text("check out"), .awaitResult,
            .perform(revoke),
            .awaitEvent { $0 == .bye(reason: "revoked") },
        ])
    }

    @Test func revokingADeviceEndsItsOpenSessionAndPlacesNothing() async throws {
        try await TestServer.with { server in
            let started = ContinuousClock.now
            let (events, close) = try await Self.revokedWhileConfirming(server, token: server.token) {
                // What `talkshop devices revoke` writes, from another process as far as the server knows.
                try SQLiteDeviceStorage(database: server.services.database).revoke(deviceId: server.deviceId)
            }
            print("device revoked → bye after \(ContinuousClock.now - started) (including the read-back)")
            #expect(events.last == .bye(reason: "revoked"))
            #expect(close == 1008)
            #expect(try server.orders.all().isEmpty)
            let settled = await TestServer.eventually { server.services.openSessions.count == 0 }
            #expect(settled)
        }
    }

    @Test func revokingACustomerEndsTheirSessionsOnEveryDevice() async throws {
        try await TestServer.with { server in
            let second = try server.devices.register(name: "kitchen", customerId: "customer-1").token
            let other = try server.addCustomer("someone-else")
            let readBack = Barrier(3)
            let revokeOnce = Barrier(3)
            let script: [VoiceClient.Step] = [
                .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult,
                .perform { await readBack.arrive() },
            ]
            async let first = server.client().runRecordingClose(script + [.perform { await revokeOnce.arrive() }, .awaitEvent { $0 == .bye(reason: "revoked") }])
            async let kitchen = server.client(second).runRecordingClose(script + [.perform { await revokeOnce.arrive() }, .awaitEvent { $0 == .bye(reason: "revoked") }])
            async let unaffected = server.client(other).runRecordingClose(script + [
                .perform {
                    try server.customers.revoke(customerId: "customer-1")
                    await revokeOnce.arrive()
                },
                .text("no"), .awaitResult, .stop,
            ])
            let results = try await [first, kitchen]
            #expect(results.allSatisfy { $0.events.last == .bye(reason: "revoked") && $0.close == 1008 })
            #expect(try await unaffected.events.last == .bye(reason: "client_stop"), "another customer's session goes on")
            // A revoked customer's devices cannot connect again.
            await #expect(throws: (any Error).self) { try await server.client(second).run([.start(.init(codec: .opus)), .stop]) }
            #expect(try server.orders.all().isEmpty)
        }
    }

    @Test func aYesAfterTheRevocationPlacesNothingEvenBeforeTheSessionIsClosed() async throws {
        // The watcher looks only once an hour here, so the session is still open when the yes
        // comes: the store refuses the order itself.
        try await TestServer.with({ $0.limits.revocationCheckSeconds = 3_600 }) { server in
            let events = try await server.client().run([
                .start(.init(codec: .opus)),
                .text("i want a small mocha"), .awaitResult, .text("check out"), .awaitResult,
                .perform { try server.devices.revoke(deviceId: server.deviceId) },
                .text("yes"), .awaitResult, .stop,
            ])
            #expect(ConversationOverSocketTests.placed(events).isEmpty)
            #expect(ConversationOverSocketTests.prompts(events).contains("This device can no longer place orders, so nothing was ordered."))
            #expect(try server.orders.all().isEmpty)
        }
    }

    /// A web session with an order under way, its token ended by `end` meanwhile; returns what
    /// the session heard and its close code.
    static func webSession(
        _ server: TestServer.Context, token: String, endedBy end: @escaping @Sendable () async throws -> Void
    ) async throws -> (events: [ServerEvent], close: UInt16?) {
        var client = server.client(token)
        client.webSessionToken = true
        return try await client.runRecordingClose([
            .start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .perform(end), .awaitEvent { $0 == .bye(reason: "revoked") },
        ])
    }

    @Test func endingAWebSessionTokenEndsTheSessionsOpenedWithIt() async throws {
        try await TestServer.with(WebPageTests.web()) { server in
            let token = try #require(try await WebPageTests.post(server).json["token"] as? String)
            let (events, close) = try await Self.webSession(server, token: token) {
                let ended = try await AdminAPITests.call(server, .delete, "/v1/web/session", token: token)
                #expect(ended.status == .noContent)
            }
            #expect(events.last == .bye(reason: "revoked") && close == 1008)
            #expect(try await AdminAPITests.call(server, .delete, "/v1/web/session", token: token).status == .notFound, "already ended")
            #expect(try await WebPageTests.voiceStatus(server, webToken: token) == .unauthorized)
        }
    }

    /// A token ended on another node reaches this one through the shared store: here it is
    /// ended in the store directly, as that node's `DELETE` would, and this node's revocation
    /// watch closes the session it opened.
    @Test func aWebTokenEndedElsewhereEndsTheSessionHereToo() async throws {
        try await TestServer.with(WebPageTests.web()) { server in
            let token = try #require(try await WebPageTests.post(server).json["token"] as? String)
            let (events, close) = try await Self.webSession(server, token: token) {
                let ended = try await server.services.stores.webGrants.remove(tokenHash: SQLiteDeviceStorage.hash(token))
                #expect(ended)
            }
            #expect(events.last == .bye(reason: "revoked") && close == 1008)
        }
    }
}
