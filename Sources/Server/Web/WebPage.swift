import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store
import VoiceProtocol

/// The try page (`GET /try` and its files) and the web session tokens it connects with
/// (`POST /v1/web/session`). docs/web.md.
struct WebPage: Sendable {
    let services: TalkshopServices
    private var settings: WebSettings { services.configuration.web }

    /// The page's files: a fixed list, so no request names a path of its own.
    static let files: [String: String] = [
        "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
        "capture-worklet.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
    ]

    func register(on router: Router<BasicRequestContext>) {
        if settings.page {
            router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/try"]) }
            router.get("/try") { _, _ in file("index.html") }
            router.get("/try/:file") { _, context in file(context.parameters.get("file") ?? "") }
        }
        router.post("/v1/web/session") { request, _ in await session(request) }
        router.delete("/v1/web/session") { request, _ in endSession(request) }
    }

    /// Ends a web session token before it expires, and the sessions opened with it: the
    /// shop's back end logging the customer out, or the page leaving. The token is its own proof.
    private func endSession(_ request: Request) -> Response {
        guard let token = DeviceAuthenticator.bearerToken(in: request), token.hasPrefix("tsw_") else {
            return problem(.unauthorized, "unauthorized", "send Authorization: Bearer <the tsw_ token to end>")
        }
        guard services.web.revoke(token: token) else { return problem(.notFound, "not_found", "no live web session token like that") }
        services.openSessions.end(webTokenHashes: [DeviceRegistry.hash(token)], reason: "revoked")
        return Response(status: .noContent)
    }

    private func file(_ name: String) -> Response {
        guard let type = Self.files[name] else { return problem(.notFound, "not_found", "no such file") }
        let url = URL(fileURLWithPath: settings.directory).appendingPathComponent(name)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            services.logger.error("the try page's file is missing", metadata: ["path": "\(url.path)"])
            return problem(.internalServerError, "internal_error", "the page's file \(name) is missing on the server (web.directory)")
        }
        return Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "no-cache"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct SessionRequest: Decodable {
        var customer: String?
    }

    struct SessionGrant: Encodable {
        var token: String
        var customer: String
        var expiresAt: Date
        var expiresInSeconds: Int
    }

    private func session(_ request: Request) async -> Response {
        let customerId: String
        switch settings.sessions {
        case "demo":
            customerId = settings.customer
        case "backend":
            guard let token = DeviceAuthenticator.bearerToken(in: request) else {
                return problem(.unauthorized, "unauthorized", "send Authorization: Bearer <staff token of role backend>")
            }
            guard let staff = try? services.staff.staff(forToken: token) else {
                return problem(.unauthorized, "unauthorized", "unknown or revoked staff token")
            }
            guard staff.role == .backend else { return problem(.forbidden, "forbidden", "only a backend token starts web sessions") }
            guard let body = try? await request.body.collect(upTo: 4_096),
                let wanted = try? JSONDecoder().decode(SessionRequest.self, from: Data(body.readableBytesView)), let customer = wanted.customer
            else {
                return problem(.badRequest, "bad_request", "send {\"customer\": \"<customer id>\"}")
            }
            customerId = customer
        default:
            return problem(.notFound, "not_found", "web sessions are turned off on this server")
        }
        do {
            guard let customer = try services.customers.customer(customerId) else {
                return problem(.notFound, "not_found", "no customer \(customerId)")
            }
            guard customer.revokedAt == nil else { return problem(.forbidden, "revoked", "customer \(customerId) has been revoked") }
            guard let grant = try services.web.grant(customerId: customerId) else {
                return problem(.tooManyRequests, "too_many_sessions", "too many web sessions are starting; try again in a few minutes")
            }
            let body = SessionGrant(
                token: grant.token, customer: customerId, expiresAt: grant.expiresAt, expiresInSeconds: Int(settings.tokenSeconds))
            return Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: try VoiceProtocol.encoder.encode(body))))
        } catch {
            services.logger.error("web session failed", metadata: ["error": "\(error)"])
            return problem(.internalServerError, "internal_error", "the session could not be started")
        }
    }

    private func problem(_ status: HTTPResponse.Status, _ code: String, _ message: String) -> Response {
        ErrorResponse.response(status, code, message)
    }
}
