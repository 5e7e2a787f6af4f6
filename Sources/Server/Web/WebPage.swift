import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store
import VoiceProtocol

/// The try page (`GET /try` and its files), the web session tokens it connects with
/// (`POST /v1/web/session`), and the staff dashboard (`GET /staff`, drawn from
/// `/admin/v1/analytics` with a staff token). docs/web.md, docs/analytics.md.
struct WebPage: Sendable {
    let services: TalkshopServices
    private var settings: WebSettings { services.configuration.web }

    /// The page's files: a fixed list, so no request names a path of its own.
    static let files: [String: String] = [
        "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
        "capture-worklet.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
        "staff.html": "text/html; charset=utf-8", "staff.js": "text/javascript; charset=utf-8", "staff.css": "text/css; charset=utf-8",
    ]

    func register(on router: Router<TalkshopRequestContext>) {
        if settings.page {
            router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/try"]) }
            router.get("/try") { _, _ in try file("index.html") }
            router.get("/try/:file") { _, context in try file(context.parameters.get("file") ?? "") }
        }
        // The dashboard shows nothing without a staff token: it is served even when the try page is off.
        router.get("/staff") { _, _ in try file("staff.html") }
        router.get("/staff/:file") { _, context in try file(context.parameters.get("file") ?? "") }
        router.post("/v1/web/session") { request, context in try await session(request, from: context.remoteAddress?.ipAddress) }
        router.delete("/v1/web/session") { request, _ in try await endSession(request) }
    }

    /// Ends a web session token before it expires, and the sessions opened with it: the
    /// shop's back end logging the customer out, or the page leaving. The token is its own proof.
    private func endSession(_ request: Request) async throws(APIError) -> Response {
        guard let token = DeviceAuthenticator.bearerToken(in: request), token.hasPrefix("tsw_") else {
            throw .unauthorized("send Authorization: Bearer <the tsw_ token to end>")
        }
        let revoked: Bool
        do { revoked = try await services.web.revoke(token: token) } catch {
            services.logger.error("ending a web session token failed", metadata: ["error": "\(error)"])
            throw .internalError("the token could not be ended")
        }
        guard revoked else { throw .notFound("no live web session token like that") }
        services.openSessions.end(webTokenHashes: [SQLiteDeviceStorage.hash(token)], reason: "revoked")
        return Response(status: .noContent)
    }

    private func file(_ name: String) throws(APIError) -> Response {
        guard let type = Self.files[name] else { throw .notFound("no such file") }
        let url = URL(fileURLWithPath: settings.directory).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            services.logger.error("the try page's file is missing", metadata: ["path": "\(url.path)"])
            throw .internalError("the page's file \(name) is missing on the server (web.directory)")
        }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let forwardedFor = HTTPField.Name("X-Forwarded-For")!

    struct SessionRequest: Decodable {
        var customer: String?
    }

    struct SessionGrant: Encodable {
        var token: String
        var customer: String
        var expiresAt: Date
        var expiresInSeconds: Int
    }

    /// `peer`: the address the request came from (the client, or a proxy in front of it).
    private func session(_ request: Request, from peer: String?) async throws(APIError) -> Response {
        let customerId: String
        // Anyone may ask in demo mode, so each client address gets its share of the tokens;
        // the shop's back end asks for all its customers and is not limited so.
        var share: (client: String, expiresAt: Date)?
        switch settings.sessions {
        case "demo":
            customerId = settings.customer
            let client = ClientAllowance.client(
                peer: peer, forwardedFor: request.headers[Self.forwardedFor], trustedProxies: Set(settings.trustedProxies))
            let now = services.clock.now
            let expiresAt = now.addingTimeInterval(settings.tokenSeconds)
            guard services.webAllowance.take(client: client, now: now, until: expiresAt) else {
                throw APIError(
                    .tooManyRequests, "too_many_sessions",
                    "this address holds \(settings.tokensPerClient) live web session tokens already; use one, or try again when they expire")
            }
            share = (client, expiresAt)
        case "backend": customerId = try await customerNamedByTheBackEnd(in: request)
        default: throw .notFound("web sessions are turned off on this server")
        }
        do {
            guard let customer = try await services.customers.customer(customerId) else { throw APIError.notFound("no customer \(customerId)") }
            guard customer.revokedAt == nil else { throw APIError(.forbidden, "revoked", "customer \(customerId) has been revoked") }
            guard let grant = try await services.web.grant(customerId: customerId) else {
                throw APIError(.tooManyRequests, "too_many_sessions", "too many web sessions are starting; try again in a few minutes")
            }
            let body = SessionGrant(
                token: grant.token, customer: customerId, expiresAt: grant.expiresAt, expiresInSeconds: Int(settings.tokenSeconds))
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: try VoiceProtocol.encoder.encode(body))))
        } catch let error as APIError {
            if let share { services.webAllowance.giveBack(client: share.client, expiresAt: share.expiresAt) }
            throw error
        } catch {
            if let share { services.webAllowance.giveBack(client: share.client, expiresAt: share.expiresAt) }
            services.logger.error("web session failed", metadata: ["error": "\(error)"])
            throw .internalError("the session could not be started")
        }
    }

    /// With `web.sessions: backend`, the shop's back end asks for a session for its customer
    /// with a staff token of role `backend`.
    private func customerNamedByTheBackEnd(in request: Request) async throws(APIError) -> String {
        guard let token = DeviceAuthenticator.bearerToken(in: request) else {
            throw .unauthorized("send Authorization: Bearer <staff token of role backend>")
        }
        let staff: StaffToken?
        do { staff = try await services.staff.staff(forToken: token) } catch {
            services.logger.error("reading a staff token failed", metadata: ["error": "\(error)"])
            throw .internalError("the token could not be checked")
        }
        guard let staff else { throw .unauthorized("unknown or revoked staff token") }
        guard staff.role == .backend else { throw .forbidden("only a backend token starts web sessions") }
        // An unreadable or oversized body is the client's mistake, answered as such.
        guard let body = try? await request.body.collect(upTo: 4_096),
            let wanted = try? JSONDecoder().decode(SessionRequest.self, from: Data(body.readableBytesView)), let customer = wanted.customer
        else { throw .badRequest("send {\"customer\": \"<customer id>\"}") }
        return customer
    }
}
