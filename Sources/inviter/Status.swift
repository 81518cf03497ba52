import ArgumentParser
import Foundation
import InviterCore

extension Inviter {
    /// What was sent, what waits, what failed and why.
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what was sent, what waits and what failed.")

        @OptionGroup var options: ConfigOptions
        @Option(help: "Only this mailing.") var mailing: String?
        @Flag(help: "Print JSON: {\"mailings\": [{\"id\", \"kind\", \"counts\", \"failures\"}]}.") var json =
            false

        func run() async throws {
            let configuration = try options.loadConfiguration()
            let file = configuration.delivery.state.appendingPathComponent("ledger.sqlite")
            var statuses: [MailingStatus] = []
            // An id that does not parse names no mailing, as one the ledger never had.
            let wanted = mailing.map { MailingID($0) }
            if FileManager.default.fileExists(atPath: file.path), wanted != .some(nil) {
                statuses = try SQLiteLedger(directory: configuration.delivery.state).status(
                    mailing: wanted ?? nil)
            }
            if json {
                print(StatusReport.json(statuses))
                return
            }
            if statuses.isEmpty {
                print(mailing.map { "No mailing \($0) in the ledger." } ?? "Nothing has been sent yet.")
                return
            }
            let zone = configuration.network.timeZone
            for status in statuses {
                let counts = DeliveryState.allCases.compactMap { state in
                    status.counts[state].map { "\(state.rawValue) \($0)" }
                }.joined(separator: ", ")
                print(
                    "\(status.mailing.id)  due \(MessageEncoder.rfc5322Date(status.mailing.dueAt, in: zone)): \(counts)"
                )
                for entry in status.attention {
                    print("  \(entry.state.rawValue): \(entry.key.recipient): \(entry.lastReply ?? "")")
                }
            }
        }
    }
}
