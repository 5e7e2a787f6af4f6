import Crypto
import Foundation
import Store

/// Who is calling: the phone line (a device of class `phone`, by its token in the stream's
/// parameters) and the customer — by a signed `customer` parameter or by the caller's number.
struct PhoneDirectory {
    let services: TalkshopServices

    struct Caller {
        var line: Device
        var customer: Customer?
    }

    /// The line must be known; an unknown customer is not an error (the call is handed over).
    func identify(_ start: PhoneStart) async throws(PhoneWireError) -> Caller {
        guard let token = start.parameters["token"] else { throw PhoneWireError(description: "missing line token (the stream's `token` parameter)") }
        let line: Device?
        do { line = try await services.devices.device(forToken: token) } catch {
            services.logger.error("reading a phone line failed", metadata: ["error": "\(error)"])
            throw PhoneWireError(description: "the line could not be looked up; try again")
        }
        guard let line, !line.isRevoked else {
            throw refused("unknown or revoked line token (the stream's `token` parameter)", reason: "unknown_token", call: start.callId)
        }
        // A line acts for whichever customer calls: only a device registered as a phone line
        // may, never a speaker's or a web page's token (which acts for its own customer only).
        guard line.deviceClass == Device.phoneLineClass else {
            throw refused("the token is not a phone line's (`talkshop devices add --device-class phone`)", reason: "not_a_phone_line", call: start.callId)
        }
        var customer: Customer?
        if let id = start.parameters["customer"], let signature = start.parameters["signature"] {
            if signature.lowercased() == PhoneSignature.sign(customerId: id, callId: start.callId, lineToken: token) {
                customer = await lookUp { try await services.customers.customer(id) }
            } else {
                services.logger.warning("phone call with a bad customer signature", metadata: ["call": "\(start.callId)"])
            }
        } else if let number = start.parameters["caller"] {
            customer = await lookUp { try await services.customers.customer(phone: number) }
        }
        return Caller(line: line, customer: customer)
    }

    /// A line refused before any greeting: logged and counted (`talkshop_phone_lines_refused_total`).
    private func refused(_ description: String, reason: String, call: String) -> PhoneWireError {
        services.logger.warning("phone line refused", metadata: ["talkshop.call.id": "\(call)", "reason": "\(reason)"])
        services.metrics.increment(.phoneLinesRefused, label: reason)
        return PhoneWireError(description: description)
    }

    /// A caller who cannot be looked up is treated as unknown (handed over to a person, who
    /// can still help); the failure is logged.
    private func lookUp(_ read: () async throws -> Customer?) async -> Customer? {
        do { return try await read() } catch {
            services.logger.error("reading a phone caller failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    /// The device the dialog sees: the line, acting for the customer, with a PIN for every order.
    static func device(line: Device, customer: Customer) -> Device {
        var device = line
        device.customerId = customer.id
        device.pinRequired = true
        return device
    }
}

/// The `signature` parameter that vouches for a phone caller: HMAC-SHA256 of
/// "customerId:callId" keyed by the line's token, in hex. Whoever set up the call (the shop's
/// own IVR flow) vouches for the customer, for this call only.
public enum PhoneSignature {
    public static func sign(customerId: String, callId: String, lineToken: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(customerId):\(callId)".utf8), using: SymmetricKey(data: Data(lineToken.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined()
    }
}
