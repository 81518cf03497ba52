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
                let result = try ledger(options).suppressKeepingReason(address, reason: reason, now: Date())
                if result.added {
                    print("\(address) is suppressed: \(reason)")
                } else {
                    let since = ISO8601DateFormatter().string(from: result.since)
                    print("\(address) was already suppressed since \(since): \(result.reason) (kept)")
                }
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
            @Flag(help: "Print CSV (email,reason,since,list), for the member spreadsheet.") var csv = false

            func run() async throws {
                let entries = try ledger(options).suppressed()
                if csv {
                    print(SuppressionCSV.text(entries), terminator: "")
                    return
                }
                if entries.isEmpty { print("No address is suppressed.") }
                let formatter = ISO8601DateFormatter()
                for entry in entries {
                    let scope = entry.scope == .all ? "" : "  \(entry.scope) only"
                    print(
                        "\(entry.address)\(scope)  since \(formatter.string(from: entry.since)): \(entry.reason)"
                    )
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
