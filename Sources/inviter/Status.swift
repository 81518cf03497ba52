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
        @Option(help: "Everything one person got or will get, by address.") var recipient: String?
        @Flag(help: "What is due next, with times --now takes, and for how many.") var upcoming = false
        @Option(help: "The moment to look ahead from, with --upcoming or --recipient (default: now).")
        var now: String?
        @Flag(
            help: "Print JSON: {\"mailings\": [{\"id\", \"kind\", \"counts\", \"failures\", \"skipped\"}]}.")
        var json = false

        func run() async throws {
            if upcoming || recipient != nil {
                try lookAhead()
                return
            }
            let configuration = try options.loadConfiguration()
            var statuses: [MailingStatus] = []
            var answers: [OccurrenceID: RSVPCounts] = [:]
            var mailbox: [InboundDisposition: Int] = [:]
            // An id that does not parse names no mailing, as one the ledger never had.
            let wanted = mailing.map { MailingID($0) }
            if let ledger = try readLedger(configuration), wanted != .some(nil) {
                statuses = try ledger.status(mailing: wanted ?? nil)
                answers = try ledger.rsvpCounts()
                mailbox = try ledger.inboundCounts(
                    since: Date().addingTimeInterval(-StatusReport.mailboxWindow))
            }
            if json {
                let reads = configuration.mailbox != nil || !mailbox.isEmpty
                print(StatusReport.json(statuses, rsvp: answers, mailbox: reads ? mailbox : nil))
                return
            }
            if let line = StatusReport.mailboxLine(mailbox) { print(line) }
            if statuses.isEmpty {
                print(mailing.map { "No mailing \($0) in the ledger." } ?? "Nothing has been sent yet.")
                return
            }
            for line in StatusReport.lines(statuses, zone: configuration.network.timeZone, rsvp: answers) {
                print(line)
            }
        }

        /// `--upcoming` and `--recipient`, which need the network's events and lists too.
        private func lookAhead() throws {
            let network = try loadNetwork(options)
            let configuration = network.configuration
            let plan = DuePlan(network: network, now: try options.instant(now))
            let ledger = try readLedger(configuration)
            let suppressions = try ledger?.suppressed() ?? []
            if upcoming {
                for line in StatusReport.upcomingLines(plan, network: network, suppressions: suppressions) {
                    print(line)
                }
            }
            guard let recipient else { return }
            let address: AddressKey
            do {
                address = try MailAddress(recipient, source: "--recipient").key
            } catch {
                printError("error: \(error)")
                throw ExitCodes.dataError
            }
            let entries = try ledger?.entries(for: address) ?? []
            let held = suppressions.filter { $0.address == address }
            let coming = plan.upcoming.prefix(50).filter { mailing in
                !held.contains { $0.scope.covers(mailing.id.list) }
                    && Planner.recipients(
                        of: mailing, members: network.members.members,
                        partners: network.partners?.partners ?? []
                    ).contains { $0.address.key == address }
            }
            for line in StatusReport.recipientLines(
                address, entries: entries, upcoming: Array(coming), zone: configuration.network.timeZone)
            {
                print(line)
            }
        }
    }
}
