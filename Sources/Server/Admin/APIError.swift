import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Store

/// How the admin API and the web session endpoint refuse a request: a status and the
/// `{"error": code, "message": …}` body every refusal has. Thrown from a route, Hummingbird
/// turns it into its response (`HTTPResponseError`).
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String

    init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func badRequest(_ message: String) -> APIError { APIError(.badRequest, "bad_request", message) }
    static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, "unauthorized", message) }
    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "forbidden", message) }
    static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }
    /// A failure of ours (logged where it happened): the client learns only where to look.
    static func internalError(_ message: String) -> APIError { APIError(.internalServerError, "internal_error", message) }

    /// A retention request the desk refused, with the status its kind calls for.
    init(_ refusal: RetentionOffice.Refusal) {
        switch refusal.kind {
        case .invalid: self.init(.badRequest, "bad_request", refusal.description)
        case .notFound: self.init(.notFound, "not_found", refusal.description)
        case .held: self.init(.conflict, "held", refusal.description)
        case .incomplete: self.init(.serviceUnavailable, "incomplete", refusal.description)
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = try RetentionOffice.exportEncoder.encode(ErrorResponse(error: code, message: message))
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
