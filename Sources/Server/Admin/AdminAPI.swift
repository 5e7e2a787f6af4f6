import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// The compliance officer's HTTP API under `/admin/v1` (docs/admin-openapi.yaml): the same
/// holds, purges, erasure, sweeps, exports and audit as `talkshop retention` and `talkshop
/// audit`. Only staff tokens are accepted: officers may do everything, operators may only
/// read holds and the audit trail, device tokens are refused outright.
struct AdminAPI: Sendable {
    let services: TalkshopServices

    static let maxBodyBytes = 64 * 1_024

    func register(on router: Router<TalkshopRequestContext>) {
        let officerOnly: Set<StaffToken.Role> = [.officer]
        let anyStaff: Set<StaffToken.Role> = [.officer, .operator]
        router.get("/admin/v1/holds") { request, _ in
            try await handle(request, allowed: anyStaff) { _ in try json(await services.retention.holds(activeOnly: request.uri.queryParameters["all"] != "true")) }
        }
        router.post("/admin/v1/holds") { request, _ in
            try await handle(request, allowed: officerOnly) { staff in
                let body = try await decode(HoldRequest.self, from: request)
                guard let scope = LegalHold.Scope(rawValue: body.scope) else {
                    throw APIError.badRequest("scope must be one of customer, session, order")
                }
                return try json(await services.retention.hold(scope, body.subject, reason: body.reason, officer: staff.name), status: .created)
            }
        }
        router.post("/admin/v1/holds/:id/release") { request, context in
            try await handle(request, allowed: officerOnly) { staff in
                let body = try await decode(ReasonRequest.self, from: request)
                let (hold, erasures) = try await services.retention.release(
                    holdId: context.parameters.get("id") ?? "", reason: body.reason, officer: staff.name)
                return try json(ReleaseResponse(hold: hold, erasures: erasures.map(PurgeResponse.init)))
            }
        }
        router.post("/admin/v1/purge") { request, _ in
            try await handle(request, allowed: officerOnly) { staff in
                let body = try await decode(PurgeRequest.self, from: request)
                let report = try await services.retention.purge(
                    try body.selection(), reason: body.reason, officer: staff.name, reference: body.reference, dryRun: body.dryRun ?? false)
                return try json(PurgeResponse(report), status: report.deferred == nil ? .ok : .accepted)
            }
        }
        router.post("/admin/v1/sweep") { request, _ in
            try await handle(request, allowed: officerOnly) { staff in
                let body = try await decode(SweepRequest.self, from: request, emptyAllowed: true) ?? SweepRequest()
                let report = try await services.retention.sweep(policy: services.policy, now: Date(), actor: staff.name, dryRun: body.dryRun ?? false)
                return try json(report)
            }
        }
        router.get("/admin/v1/customers/:id/export") { request, context in
            try await handle(request, allowed: officerOnly) { staff in
                guard let reason = request.uri.queryParameters["reason"].map(String.init), !reason.isEmpty else {
                    throw APIError.badRequest("give the access request's reason as ?reason=…")
                }
                let (manifest, audio) = try await services.retention.export(
                    customerId: context.parameters.get("id") ?? "", reason: reason, officer: staff.name)
                return try json(ExportResponse(manifest: manifest, recordings: audio.mapValues { $0.base64EncodedString() }))
            }
        }
        router.get("/admin/v1/analytics") { request, _ in
            try await handle(request, allowed: anyStaff) { _ in
                let now = Date()
                let since = request.uri.queryParameters["since"].map(String.init) ?? "7d"
                guard let start = ConversationReport.start(since, now: now) else {
                    throw APIError.badRequest("since takes 7d, 24h, 90m or a date like 2026-01-31")
                }
                let channel = request.uri.queryParameters["channel"].map(String.init)
                if let channel, !ConversationReport.channelNames.contains(channel) {
                    throw APIError.badRequest("channel takes \(ConversationReport.channelNames.joined(separator: ", "))")
                }
                return try json(await ConversationReport.load(
                    contacts: services.stores.shop.contacts, orders: services.orders, since: start, until: now, channel: channel))
            }
        }
        router.get("/admin/v1/audit") { request, _ in
            try await handle(request, allowed: anyStaff) { _ in try json(await services.retention.auditTrail.entries()) }
        }
        router.get("/admin/v1/audit/verify") { request, _ in
            try await handle(request, allowed: anyStaff) { _ in
                switch try await services.retention.auditTrail.verify(expectedHead: request.uri.queryParameters["expectHead"].map(String.init)) {
                case .intact(let entries, let head): return try json(VerifyResponse(intact: true, entries: entries, head: head))
                case .broken(let at, let reason): return try json(VerifyResponse(intact: false, brokenAt: at, reason: reason))
                }
            }
        }
    }

    // MARK: - Authorisation and errors

    /// Runs `body` for a staff token of one of `roles`. Refusals go out as `APIError`s; any
    /// other failure is logged and answered 500 without its details.
    private func handle(
        _ request: Request, allowed roles: Set<StaffToken.Role>, _ body: (StaffToken) async throws -> Response
    ) async throws(APIError) -> Response {
        do {
            return try await body(try await authorise(request, allowed: roles))
        } catch let error as APIError {
            throw error
        } catch let refusal as RetentionOffice.Refusal {
            throw APIError(refusal)
        } catch {
            services.logger.error("admin request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw .internalError("the request failed; see the server log")
        }
    }

    private func authorise(_ request: Request, allowed roles: Set<StaffToken.Role>) async throws -> StaffToken {
        guard let token = DeviceAuthenticator.bearerToken(in: request) else { throw APIError.unauthorized("send Authorization: Bearer <staff token>") }
        guard let staff = try await services.staff.staff(forToken: token) else {
            if try await services.devices.device(forToken: token) != nil { throw APIError.forbidden("device tokens cannot use the admin API") }
            throw APIError.unauthorized("unknown or revoked staff token")
        }
        guard roles.contains(staff.role) else {
            throw APIError.forbidden("the \(staff.role.rawValue) role cannot do this; it needs a compliance officer")
        }
        return staff
    }

    private func decode<T: Decodable>(_ type: T.Type, from request: Request, emptyAllowed: Bool = false) async throws -> T? {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: Self.maxBodyBytes) } catch {
            throw APIError.badRequest("the body is larger than \(Self.maxBodyBytes) bytes")
        }
        if buffer.readableBytes == 0 && emptyAllowed { return nil }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("the body is not the JSON this endpoint takes: \(DecodingProblem.describe(error, in: Data(buffer.readableBytesView)))")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from request: Request) async throws -> T {
        try await decode(type, from: request, emptyAllowed: false)!
    }

    private func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try RetentionOffice.exportEncoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
