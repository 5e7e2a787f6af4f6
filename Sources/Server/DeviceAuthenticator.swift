import HTTPTypes
import Hummingbird
import Store

/// Decides whether a request may open `/v1/voice`: a known, unrevoked device token, and an
/// Origin (browsers and some client libraries send one) that is this server itself or on the
/// allow-list.
struct DeviceAuthenticator: Sendable {
    enum Decision: Equatable {
        case allowed(Device)
        case refused(HTTPResponse.Status, String)
    }

    let services: TalkshopServices

    func check(_ request: Request) -> Decision {
        let headers = request.headers
        if let origin = headers[.origin], !isAllowed(origin: origin, host: request.head.authority) {
            return .refused(.forbidden, "origin \(origin) is not allowed")
        }
        let device: Device?
        if let token = Self.webSessionToken(in: request) {
            do { device = try services.web.device(forToken: token) } catch {
                return .refused(.internalServerError, "device lookup failed")
            }
            guard let device else { return .refused(.unauthorized, "unknown or expired web session token; ask for a new one") }
            return .allowed(device)
        }
        guard let token = Self.bearerToken(in: request) else {
            return .refused(.unauthorized, "missing Authorization: Bearer <device token>")
        }
        do { device = try services.devices.device(forToken: token) } catch {
            return .refused(.internalServerError, "device lookup failed")
        }
        guard let device else { return .refused(.unauthorized, "unknown device token") }
        guard !device.isRevoked else { return .refused(.unauthorized, "this device token has been revoked") }
        return .allowed(device)
    }

    /// The token of an `Authorization: Bearer …` header (devices, staff, a shop's back end).
    static func bearerToken(in request: Request) -> String? {
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") else { return nil }
        return String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    /// Browsers cannot set headers on a WebSocket, so the try page offers its short-lived
    /// token as a subprotocol: `Sec-WebSocket-Protocol: talkshop.v1, bearer.tsw_…`.
    static func webSessionToken(in request: Request) -> String? {
        offeredProtocols(in: request).first { $0.hasPrefix("bearer.tsw_") }.map { String($0.dropFirst("bearer.".count)) }
    }

    /// The subprotocol the server answers with: a browser that offered subprotocols drops a
    /// connection whose answer names none of them.
    static func acceptedProtocol(for request: Request) -> HTTPFields {
        offeredProtocols(in: request).contains(VoiceProtocol.version) ? [.secWebSocketProtocol: VoiceProtocol.version] : [:]
    }

    private static func offeredProtocols(in request: Request) -> [String] {
        request.headers[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Same-origin (the page this server serves) or listed. Only web origins are checked: a
    /// browser always sends `http(s)://…`; client libraries that send `ws://host` are not pages.
    private func isAllowed(origin: String, host: String?) -> Bool {
        guard origin.hasPrefix("http://") || origin.hasPrefix("https://") else { return true }
        if services.configuration.allowedOrigins.contains(origin) { return true }
        guard let host else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }
}
