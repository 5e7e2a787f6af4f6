import Foundation
@testable import Server
import Simulators
import Testing

/// Connections that never get going: half-sent requests, one byte every few seconds, more of
/// them than the cap. A device that sends its request at once still gets in; refused upgrades
/// say why with their own status.
@Suite(.serialized) struct ConnectionGateTests {
    static let upgrade = """
        GET /v1/voice HTTP/1.1\r
        Host: 127.0.0.1\r
        Upgrade: websocket\r
        Connection: Upgrade\r
        Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r
        Sec-WebSocket-Version: 13\r

        """

    /// An upgrade request to /v1/voice with these extra header lines; returns the answer (a
    /// refusal's whole answer; an accepted upgrade's head).
    static func upgradeAnswer(_ server: TestServer.Context, _ headers: [String], host: String = "127.0.0.1") throws -> String {
        let connection = try RawConnection(port: server.port)
        connection.send(upgrade.replacingOccurrences(of: "Host: 127.0.0.1", with: "Host: \(host)") + headers.map { $0 + "\r\n" }.joined() + "\r\n")
        let answer = connection.readAll(within: 10, until: "\r\n\r\n")
        guard !answer.hasPrefix("HTTP/1.1 101") else { return answer }
        return answer + connection.readAll(within: 10)
    }

    static func health(_ server: TestServer.Context) throws -> String {
        let connection = try RawConnection(port: server.port)
        connection.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return connection.readAll(within: 10)
    }

    @Test func halfSentAndDrippingConnectionsCannotLockOutADevice() async throws {
        let cap = 20, flood = 60
        try await TestServer.with({
            $0.limits.maxUnauthenticatedConnections = cap
            $0.limits.requestHeadTimeoutSeconds = 2
        }) { server in
            // Half-sent upgrade requests that never finish, and a few that drip a byte at a time.
            let halfSent = try (0..<flood).map { _ in
                let connection = try RawConnection(port: server.port)
                connection.send("GET /v1/voice HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                return connection
            }
            let dripping = try (0..<3).map { _ in try RawConnection(port: server.port) }
            let drip = Task {
                for byte in "GET /healthz HTTP/1.1\r\nHost: x".map(String.init) {
                    for connection in dripping { connection.send(byte) }
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
            defer { drip.cancel() }

            // A device sending its request at once gets its session, whatever the flood holds.
            let started = ContinuousClock.now
            let events = try await server.client().run([.start(.init(codec: .opus)), .text("i want a small mocha"), .awaitResult, .stop])
            print("a device's session during the flood: answered in \(ContinuousClock.now - started)")
            #expect(events.contains { if case .intent("orderDrink", _, _, _) = $0 { true } else { false } })
            #expect(try Self.health(server).contains("200 OK"))

            // Every half-sent and dripping connection is closed: evicted at once, or at the head timeout.
            #expect(halfSent.allSatisfy { $0.isClosedByServer(within: 15) })
            #expect(dripping.allSatisfy { $0.isClosedByServer(within: 15) }, "a byte every 0.3 s does not keep a connection")
            let metrics = server.services.metrics
            // Which of the two closed each one depends on how fast they were opened (on a busy
            // machine some time out before the cap fills), not on the gate.
            let evicted = metrics.value(of: .connectionsClosed, label: "evicted")
            let timedOut = metrics.value(of: .connectionsClosed, label: "head_timeout")
            #expect(evicted >= 1 && timedOut >= 1 && evicted + timedOut >= Double(flood + dripping.count), "evicted \(evicted), timed out \(timedOut)")
            let settled = await TestServer.eventually { metrics.value(of: .connectionsUnauthenticated) == 0 }
            #expect(settled)
        }
    }

    @Test func aRefusedUpgradeSaysWhyWithItsOwnStatus() async throws {
        try await TestServer.with({
            $0.allowedOrigins = ["https://shop.example"]
            $0.limits.maxSessionsPerDevice = 1
        }) { server in
            let unknown = try Self.upgradeAnswer(server, ["Authorization: Bearer tsk_nope"])
            #expect(unknown.hasPrefix("HTTP/1.1 401 Unauthorized") && unknown.hasSuffix("unknown device token\n"), "\(unknown)")
            let missing = try Self.upgradeAnswer(server, [])
            #expect(missing.hasPrefix("HTTP/1.1 401"), "\(missing)")
            let origin = try Self.upgradeAnswer(server, ["Authorization: Bearer \(server.token)", "Origin: https://evil.example"])
            #expect(origin.hasPrefix("HTTP/1.1 403 Forbidden") && origin.contains("origin https://evil.example is not allowed"), "\(origin)")
            // A sandboxed frame or a file:// page sends Origin: null — a browser all the same.
            let null = try Self.upgradeAnswer(server, ["Authorization: Bearer \(server.token)", "Origin: null"])
            #expect(null.hasPrefix("HTTP/1.1 403"), "\(null)")

            // One session per device here: a second one is told to back off.
            let holding = Barrier(2), released = Barrier(2)
            async let first = server.client().run([
                .start(.init(codec: .opus)), .awaitEvent { if case .ready = $0 { true } else { false } },
                .perform { await holding.arrive() }, .perform { await released.arrive() }, .stop,
            ])
            await holding.arrive()
            let busy = try Self.upgradeAnswer(server, ["Authorization: Bearer \(server.token)"])
            await released.arrive()
            #expect(busy.hasPrefix("HTTP/1.1 429 Too Many Requests") && busy.lowercased().contains("retry-after: 5"), "\(busy)")
            _ = try await first

            try server.devices.revoke(deviceId: server.deviceId)
            let revoked = try Self.upgradeAnswer(server, ["Authorization: Bearer \(server.token)"])
            #expect(revoked.hasPrefix("HTTP/1.1 401") && revoked.contains("revoked"), "\(revoked)")
        }
    }

    /// Once in three runs a session over the device's limit got 101 and was then closed 1008:
    /// the room was checked before the upgrade and the slot taken after it. Now the slot is
    /// taken before: at once, the sessions over the limit all hear 429.
    @Test func upgradesAtOnceOverTheLimitAreAllRefusedBeforeTheUpgrade() async throws {
        try await TestServer.with({ $0.limits.maxSessionsPerDevice = 2 }) { server throws in
            let attempts = 8
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<attempts {
                    group.addTask {
                        try await withCheckedThrowingContinuation { continuation in
                            Thread.detachNewThread {
                                continuation.resume(with: Result {
                                    let connection = try RawConnection(port: server.port)
                                    connection.send(Self.upgrade + "Authorization: Bearer \(server.token)\r\n\r\n")
                                    let head = connection.readAll(within: 10, until: "\r\n\r\n")
                                    guard head.hasPrefix("HTTP/1.1 101") else { return String(head.prefix(12)) }
                                    // An upgraded session that is then closed sends a close frame (0x88).
                                    let after = connection.readBytes(within: 2)
                                    return after.first == 0x88 ? "101 then closed" : "101"
                                })
                            }
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(answers.filter { $0 == "101" }.count == 2, "\(answers)")
            #expect(answers.filter { $0 == "HTTP/1.1 429" }.count == attempts - 2, "\(answers)")
            // Those connections are closed now: their slots went back, and a new session gets in.
            #expect(await TestServer.eventually {
                (try? Self.upgradeAnswer(server, ["Authorization: Bearer \(server.token)"]))?.hasPrefix("HTTP/1.1 101") == true
            })
        }
    }

    /// A page on a name rebound to this server's address (DNS rebinding) sends its own name as
    /// Origin and Host alike: that once passed as same-origin.
    @Test func sameOriginCountsOnlyForTheServersOwnHosts() async throws {
        try await TestServer.with({ $0.publicHosts = ["shop.example"] }) { server throws in
            let token = "Authorization: Bearer \(server.token)"
            let rebound = try Self.upgradeAnswer(server, [token, "Origin: http://evil.example:\(server.port)"], host: "evil.example:\(server.port)")
            #expect(rebound.hasPrefix("HTTP/1.1 403"), "\(rebound)")
            let own = try Self.upgradeAnswer(server, [token, "Origin: https://shop.example"], host: "shop.example")
            #expect(own.hasPrefix("HTTP/1.1 101"), "\(own)")
            let address = try Self.upgradeAnswer(server, [token, "Origin: http://127.0.0.1:\(server.port)"], host: "127.0.0.1:\(server.port)")
            #expect(address.hasPrefix("HTTP/1.1 101"), "\(address)")
        }
        #expect(DeviceAuthenticator.isOwn(host: "localhost:8080", publicHosts: []))
        #expect(DeviceAuthenticator.isOwn(host: "[::1]:8080", publicHosts: []))
        #expect(DeviceAuthenticator.isOwn(host: "Shop.Example:8443", publicHosts: ["shop.example:8443"]))
        #expect(!DeviceAuthenticator.isOwn(host: "127.0.0.1.evil.example", publicHosts: []))
        #expect(!DeviceAuthenticator.isOwn(host: "shop.example.evil", publicHosts: ["shop.example"]))
    }

    @Test func aNullOriginIsAcceptedOnlyWhenListed() async throws {
        try await TestServer.with({ $0.allowedOrigins = ["null"] }) { server in
            let answer = try Self.upgradeAnswer(server, ["Authorization: Bearer \(server.token)", "Origin: null"])
            #expect(answer.hasPrefix("HTTP/1.1 101"), "\(answer)")
        }
    }
}

/// The budget of connections: at the limit accepting pauses, once, with a metric; it resumes
/// when one closes.
struct ConnectionBudgetTests {
    @Test func acceptingPausesAtTheLimitAndResumesWhenOneCloses() throws {
        let metrics = Metrics()
        let budget = ConnectionBudget(limit: 2, metrics: metrics, logger: .init(label: "test"))
        budget.connectionOpened()
        #expect(budget.isAcceptingNewConnections())
        budget.connectionOpened()
        #expect(!budget.isAcceptingNewConnections())
        #expect(!budget.isAcceptingNewConnections())
        #expect(metrics.value(of: .acceptPaused) == 1, "one pause, counted once")
        #expect(metrics.value(of: .connectionsOpen) == 2)
        budget.connectionClosed()
        #expect(budget.isAcceptingNewConnections())
        budget.connectionOpened()
        #expect(!budget.isAcceptingNewConnections())
        #expect(metrics.value(of: .acceptPaused) == 2)
    }
}
