import ArgumentParser
import Foundation
import Store

struct DeviceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Register, list and revoke devices (speakers, phone bridges, web clients).",
        subcommands: [Add.self, List.self, Revoke.self],
        aliases: ["devices"])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a device and print its token (shown once).")
        @OptionGroup var data: DataOptions
        @Option(help: "A name for people, e.g. 'kitchen speaker'.") var name: String
        @Option(help: "The customer the device belongs to (see `talkshop customers list`).") var customer: String
        @Flag(help: "Every order from this device needs the customer's spoken PIN.") var pinRequired = false
        @Option(help: "This device's daily spending limit in minor units (default: guards.dailySpendLimitMinorUnits).")
        var dailyLimit: Int?
        @Option(help: "Device class for the retention policy: speaker, phone or web.") var deviceClass = "speaker"

        func run() async throws {
            let stores = try await data.stores()
            guard try await stores.customers.customer(customer) != nil else {
                throw UsageError("no customer \(customer); add one with `talkshop customers add`")
            }
            let (device, token) = try await stores.devices.register(
                name: name, customerId: customer, pinRequired: pinRequired, dailySpendLimitMinorUnits: dailyLimit,
                deviceClass: deviceClass)
            print("device \(device.id) '\(device.name)' for customer \(device.customerId)\(pinRequired ? " (PIN required)" : "")\ntoken: \(token)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List devices (tokens are never shown again).")
        @OptionGroup var data: DataOptions

        func run() async throws {
            for device in try await data.stores().devices.all() {
                print("\(device.id)  \(device.customerId)  \(device.name)  [\(device.deviceClass)]\(device.isRevoked ? "  (revoked)" : "")")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a device: its token stops working at once.",
            discussion: "A running server ends the device's open sessions within a second (`bye` reason `revoked`, close 1008).")
        @OptionGroup var data: DataOptions
        @Argument(help: "Device id.") var id: String

        func run() async throws {
            guard try await data.stores().devices.revoke(deviceId: id) else {
                throw UsageError("no device \(id); see `talkshop devices list`")
            }
            print("revoked \(id)")
        }
    }
}
