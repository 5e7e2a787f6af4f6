import Foundation
import PostgresStore
import Store
import Testing

/// The try page's web session tokens on both backends: one node's memory, or PostgreSQL
/// where a token one node gave works on another.
struct WebGrantsTests {
    static func withTwoNodes(_ backend: Backend, _ body: (any WebGrants, any WebGrants) async throws -> Void) async throws {
        switch backend {
        case .sqlite:
            let memory = MemoryWebGrants()  // one node: both "nodes" are the same memory
            try await body(memory, memory)
        case .postgres:
            try await Backend.withPostgres { connections in
                try await body(PostgresWebGrants(database: connections), PostgresWebGrants(database: connections))
            }
        }
    }

    @Test(arguments: Backend.available)
    func aTokenGivenOnOneNodeOpensOnAnotherUntilItExpiresOrEnds(_ backend: Backend) async throws {
        try await Self.withTwoNodes(backend) { nodeA, nodeB throws in
            let now = Date()
            #expect(try await nodeA.add(tokenHash: "h1", deviceId: "web-1", expiresAt: now.addingTimeInterval(60), now: now, maxLive: 10))
            #expect(try await nodeB.deviceId(forTokenHash: "h1", now: now) == "web-1")
            #expect(try await nodeB.deviceId(forTokenHash: "h1", now: now.addingTimeInterval(61)) == nil, "expired")
            #expect(try await nodeB.deviceId(forTokenHash: "unknown", now: now) == nil)
            #expect(try await nodeA.revoked(since: now.addingTimeInterval(-1)).isEmpty)
            #expect(try await nodeB.remove(tokenHash: "h1"))
            #expect(try await !nodeA.remove(tokenHash: "h1"), "ended once, on any node")
            #expect(try await nodeA.deviceId(forTokenHash: "h1", now: now) == nil)
            // Every node's revocation watch learns of it and closes the sessions the token opened there.
            #expect(try await nodeA.revoked(since: now.addingTimeInterval(-1)) == ["h1"])
            #expect(try await nodeA.revoked(since: Date().addingTimeInterval(1)).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func liveTokensAreCappedAndExpiredOnesMakeRoom(_ backend: Backend) async throws {
        try await Self.withTwoNodes(backend) { nodeA, nodeB throws in
            let now = Date()
            #expect(try await nodeA.add(tokenHash: "a", deviceId: "w", expiresAt: now.addingTimeInterval(10), now: now, maxLive: 2))
            #expect(try await nodeB.add(tokenHash: "b", deviceId: "w", expiresAt: now.addingTimeInterval(100), now: now, maxLive: 2))
            #expect(try await !nodeA.add(tokenHash: "c", deviceId: "w", expiresAt: now.addingTimeInterval(100), now: now, maxLive: 2))
            let later = now.addingTimeInterval(20)
            #expect(try await nodeB.add(tokenHash: "c", deviceId: "w", expiresAt: later.addingTimeInterval(100), now: later, maxLive: 2))
        }
    }
}
