import ArgumentParser
import Foundation
import Store

struct CustomersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers",
        abstract: "Add, list and revoke customers, with their PIN, saved payment method and address.",
        subcommands: [Add.self, List.self, Consent.self, Revoke.self],
        aliases: ["customer"])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a customer.",
            discussion: """
                Payment methods are the payment provider's tokens, never card numbers. With the
                sandbox provider: pm_card_visa, pm_card_mastercard, pm_card_amex (approved),
                pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds (declined),
                pm_card_timeout (the provider never answers).
                """)
        @OptionGroup var data: DataOptions
        @Option(help: "The customer's name.") var name: String
        @Option(help: "An id of your choosing (default: a new UUID).") var id: String?
        @Option(help: "A 4-digit PIN for large orders and PIN-protected devices (stored hashed).") var pin: String?
        @Flag(help: "Every order by this customer needs the PIN.") var pinRequired = false
        @Option(help: "Saved payment method token, e.g. pm_card_visa.") var paymentMethod: String?
        @Option(help: "How the payment method is read out, e.g. 'Visa ending 4242'.") var paymentLabel: String?
        @Option(help: "Delivery address.") var address: String?
        @Option(help: "Phone number in E.164 (+15551234567): phone callers are recognised by it.") var phone: String?

        func run() async throws {
            let method = paymentMethod.map { (token: $0, label: paymentLabel ?? "your card") }
            let customer = try await data.stores().customers.add(.init(
                id: id, name: name, pin: pin, pinRequired: pinRequired, paymentMethod: method, address: address, phone: phone))
            print("customer \(customer.id) '\(customer.name)'\(customer.hasPIN ? " with a PIN" : "")\(method == nil ? " (no payment method: cannot order yet)" : "")")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List customers (PINs are never shown).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let book = try await data.stores().customers
            for customer in try await book.all() {
                let method = try await book.defaultPaymentMethod(customerId: customer.id)?.label ?? "no payment method"
                var flags = [customer.hasPIN ? "PIN set" : "no PIN", method]
                if customer.pinRequired { flags.append("PIN always required") }
                if let until = customer.pinLockedUntil, until > Date() { flags.append("PIN locked") }
                if !customer.audioConsent { flags.append("audio not stored") }
                if customer.revokedAt != nil { flags.append("revoked") }
                print("\(customer.id)  \(customer.name)  (\(flags.joined(separator: ", ")))")
            }
        }
    }

    struct Consent: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record whether a customer's utterance audio may be stored (transcripts are kept either way).",
            discussion: "Takes effect from the customer's next session. Audio already stored stays until its retention period ends or it is purged.")
        @OptionGroup var data: DataOptions
        @Argument(help: "The customer id.") var customer: String
        @Option(help: "on: store audio (the default); off: never store this customer's audio.") var audio: String

        func run() async throws {
            guard audio == "on" || audio == "off" else { throw UsageError("--audio takes on or off") }
            guard try await data.stores().customers.setAudioConsent(customerId: customer, audio == "on") else {
                throw UsageError("no customer \(customer); see `talkshop customers list`")
            }
            print("customer \(customer): audio \(audio == "on" ? "may be stored" : "is not stored")")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a customer: none of their devices may connect or order from now on.",
            discussion: """
                A running server ends the customer's open sessions (speakers, web pages, phone calls)
                within a second, with `bye` reason `revoked`; a confirmation they were waiting for
                places nothing. Orders and recordings stay (see `talkshop retention purge` to erase).
                """)
        @OptionGroup var data: DataOptions
        @Argument(help: "The customer id.") var customer: String

        func run() async throws {
            guard try await data.stores().customers.revoke(customerId: customer, at: Date()) else {
                throw UsageError("no customer \(customer); see `talkshop customers list`")
            }
            print("revoked customer \(customer)")
        }
    }
}
