import HTTPTypes
import Hummingbird
import Store
import VoiceProtocol

/// Decides whether a request may open `/v1/voice`: a known, unrevoked device token of a
/// customer not revoked, and an Origin (browsers and some client libraries send one) that is
/// this server itself or on the allow-list.
struct DeviceAuthenticator: Sendable {
    enum Decision: Equatable {
        /// `webTokenHash`: the session was opened with a web session token (SHA-256), which
        /// can be revoked on its own.
        case allowed(Device, webTokenHash: String?)
        case refused(HTTPResponse.Status, String)
    }

    let services: TalkshopServices

    func check(_ request: Request) async -> Decision {
        let headers = request.headers
        if let origin = headers[.origin], !isAllowed(origin: origin, host: request.head.authority) {
            return .refused(.forbidden, "origin \(origin) is not allowed")
        }
        do {
            if let token = Self.webSessionToken(in: request) {
                guard let device = try await services.web.device(forToken: token) else {
                    return .refused(.unauthorized, "unknown or expired web session token; ask for a new one")
                }
                return try await admitted(device, webTokenHash: SQLiteDeviceStorage.hash(token))
            }
            guard let token = Self.bearerToken(in: request) else {
                return .refused(.unauthorized, "missing Authorization: Bearer <device token>")
            }
            guard let device = try await services.devices.device(forToken: token) else { return .refused(.unauthorized, "unknown device token") }
            guard !device.isRevoked else { return .refused(.unauthorized, "this device token has been revoked") }
            return try await admitted(device, webTokenHash: nil)
        } catch {
            return .refused(.internalServerError, "device lookup failed")
        }
    }

    /// A device of a revoked customer opens nothing.
    private func admitted(_ device: Device, webTokenHash: String?) async throws -> Decision {
        guard try await services.customers.customer(device.customerId)?.revokedAt == nil else {
            return .refused(.unauthorized, "this customer's access has been revoked")
        }
        return .allowed(device, webTokenHash: webTokenHash)
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
    /// browser always sends `http(s)://…`, or `null` from a sandboxed frame or a `file://`
    /// page (refused unless "null" is listed); client libraries that send `ws://host` are not pages.
    /// Same-origin counts only for a host the server knows is its own (`publicHosts`, an IP
    /// address, or localhost): a page on a name that was rebound to this server's address
    /// (DNS rebinding) sends its own name as both Origin and Host.
    private func isAllowed(origin: String, host: String?) -> Bool {
        if services.configuration.allowedOrigins.contains(origin) { return true }
        if origin == "null" { return false }
        guard origin.hasPrefix("http://") || origin.hasPrefix("https://") else { return true }
        guard let host, Self.isOwn(host: host, publicHosts: services.configuration.publicHosts) else { return false }
        return origin == "http://\(host)" || origin == "https://\(host)"
    }

    /// `host` (a Host header: name or address, and maybe a port) is one this server answers to
    /// for certain: listed (with or without the port), an IP address (no name to rebind), or localhost.
    static func isOwn(host: String, publicHosts: [String]) -> Bool {
        let host = host.lowercased()
        let name: Substring
        if host.hasPrefix("["), let end = host.firstIndex(of: "]") {
            name = host[host.index(after: host.startIndex)..<end]
        } else {
            name = host.split(separator: ":", maxSplits: 1).first ?? ""
        }
        if publicHosts.contains(where: { $0.lowercased() == host || $0.lowercased() == name }) { return true }
        if name == "localhost" { return true }
        let isIPv4 = name.split(separator: ".", omittingEmptySubsequences: false).count == 4
            && name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { UInt8($0) != nil }
        let isIPv6 = host.hasPrefix("[") && name.contains(":") && name.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        return isIPv4 || isIPv6
    }
}
