import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// The suppression list: addresses that never get anything, whichever list they appear in.
    struct Suppress: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage the suppression list: addresses that are never sent to.",
            subcommands: [Add.self, Remove.self, List.self]
        )

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Never send to ADDRESS again.")
            @OptionGroup var options: ConfigOptions
            @Argument(help: "The address.") var address: String
            @Option(help: "Why, for the record.") var reason: String = "added by hand"

            func run() async throws {
                let address = try validated(address)
                try ledger(options).suppress(address, reason: reason, now: Date())
                print("\(address) is suppressed: \(reason)")
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Allow sending to ADDRESS again.")
            @OptionGroup var options: ConfigOptions
            @Argument(help: "The address.") var address: String

            func run() async throws {
                let address = try validated(address)
                if try ledger(options).unsuppress(address) {
                    print("\(address) is no longer suppressed.")
                } else {
                    print("\(address) was not suppressed.")
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List suppressed addresses.")
            @OptionGroup var options: ConfigOptions

            func run() async throws {
                let entries = try ledger(options).suppressed()
                if entries.isEmpty { print("No address is suppressed.") }
                let formatter = ISO8601DateFormatter()
                for entry in entries {
                    print("\(entry.address)  since \(formatter.string(from: entry.since)): \(entry.reason)")
                }
            }
        }
    }
}

private func validated(_ text: String) throws -> AddressKey {
    do {
        return try MailAddress(text, source: "address").key
    } catch {
        printError("error: \(error)")
        throw ExitCodes.dataError
    }
}

private func ledger(_ options: ConfigOptions) throws -> SQLiteLedger {
    try SQLiteLedger(directory: try options.loadConfiguration().delivery.state)
}
