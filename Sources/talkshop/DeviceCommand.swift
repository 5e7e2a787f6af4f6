import ArgumentParser
import Foundation
import Server
import Store

struct DeviceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Register, list and revoke devices (speakers, phone bridges, web clients).",
        subcommands: [Add.self, List.self, Revoke.self])

    struct DataOptions: ParsableArguments {
        @Option(help: "Directory of the database.")
        var dataDirectory: String = ServerConfiguration().dataDirectory

        func registry() throws -> DeviceRegistry {
            DeviceRegistry(database: try AppDatabase.open(at: URL(fileURLWithPath: dataDirectory).appendingPathComponent("talkshop.sqlite")))
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Register a device and print its token (shown once).")
        @OptionGroup var data: DataOptions
        @Option(help: "A name for people, e.g. 'kitchen speaker'.") var name: String
        @Option(help: "The customer the device belongs to.") var customer: String

        func run() throws {
            let (device, token) = try data.registry().register(name: name, customerId: customer)
            print("device \(device.id) '\(device.name)' for customer \(device.customerId)\ntoken: \(token)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List devices (tokens are never shown again).")
        @OptionGroup var data: DataOptions

        func run() throws {
            for device in try data.registry().all() {
                print("\(device.id)  \(device.customerId)  \(device.name)\(device.isRevoked ? "  (revoked)" : "")")
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a device: its token stops working at once.")
        @OptionGroup var data: DataOptions
        @Argument(help: "Device id.") var id: String

        func run() throws {
            try data.registry().revoke(deviceId: id)
            print("revoked \(id)")
        }
    }
}
